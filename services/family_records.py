"""Staff keep a family's people: Parent/Guardian A and B, contacts, authorized pickups,
and the adults of other families shared as pickups (services/shared_pickups.py). A
parent's own edits: services/my_family.py.

Students editors reach the families with a child enrolled (at any time) at one of their
sites; agency admins every family of the agency. A foreign or missing family or adult is
the same NOT_FOUND. Every adult gets a PIN in the agency namespace when created (read it
back with revealPins); removing a contact keeps the row for history, takes its PIN away
and ends its shared pickups.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.keys import Keyring
from auth.principals import Grant, Principal, StaffPrincipal, is_staff
from models.org import Agency
from models.people import ContactMethod, Family, FamilyAdult, GuardianSlot, Language, SharedPickup
from models.pins import PinCredential
from services import audit, contact_points, pins
from services.errors import DomainError, InvalidInput, NotFound


class FamilyRecordErrorCode(StrEnum):
    """Rule failures of adding, editing and removing a family's adults."""

    INVALID_PHONE = "INVALID_PHONE"
    INVALID_EMAIL = "INVALID_EMAIL"
    TOO_MANY_GUARDIANS = "TOO_MANY_GUARDIANS"
    GUARDIAN_SLOT_TAKEN = "GUARDIAN_SLOT_TAKEN"
    PICKUP_NEEDS_PHONE = "PICKUP_NEEDS_PHONE"
    GUARDIAN_NOT_REMOVABLE = "GUARDIAN_NOT_REMOVABLE"
    SAME_FAMILY = "SAME_FAMILY"
    NOT_SHARED = "NOT_SHARED"
    PIN_SPACE_EXHAUSTED = "PIN_SPACE_EXHAUSTED"


MAX_NAME_LENGTH = 100
MAX_RELATIONSHIP_LENGTH = 60


@dataclass(frozen=True)
class AdultDetails:
    """What a caller sets on an adult; None leaves a value as it is, and an empty email
    or phone clears it."""

    first_name: str | None = None
    last_name: str | None = None
    relationship: str | None = None
    email: str | None = None
    phone: str | None = None
    preferred_contact: ContactMethod | None = None
    language: Language | None = None
    authorized_pickup: bool | None = None


# --- scoping ----------------------------------------------------------------------------


def editable_families(principal: Principal) -> QuerySet[Family]:
    """The families whose people the caller may edit (staff with Students edit)."""
    if not (is_staff(principal) and principal.has(Grant.EDIT_STUDENTS)):
        return Family.filter(id__in=[])
    if principal.is_agency_admin:
        return Family.filter(agency_id=principal.agency_id)
    return Family.filter(
        agency_id=principal.agency_id,
        children__enrollments__classroom__site_id__in=list(principal.site_ids),
    ).distinct()


async def editable_family(principal: Principal, family_id: UUID) -> Family:
    if not await editable_families(principal).filter(id=family_id).exists():
        raise NotFound("Family")
    # Locked, so two adds to one family take the guardian slots one after the other.
    return await Family.select_for_update().get(id=family_id)


async def editable_adult(principal: Principal, adult_id: UUID) -> FamilyAdult:
    adult = await FamilyAdult.get_or_none(id=adult_id, removed_at__isnull=True)
    if adult is None or not await editable_families(principal).filter(id=adult.family_id).exists():
        raise NotFound("Adult")
    return await FamilyAdult.select_for_update().get(id=adult.id)


# --- checking what callers give -----------------------------------------------------------


def _name(value: str, field: str, limit: int = MAX_NAME_LENGTH, *, required: bool = True) -> str:
    cleaned = " ".join(value.split())
    if required and not cleaned:
        raise InvalidInput("Must not be empty.", field)
    if len(cleaned) > limit:
        raise InvalidInput(f"At most {limit} characters.", field)
    return cleaned


def cleaned_updates(details: AdultDetails) -> dict[str, object]:
    """The model values the details ask for, normalized; typed errors for bad ones."""
    updates: dict[str, object] = {}
    if details.first_name is not None:
        updates["first_name"] = _name(details.first_name, "firstName")
    if details.last_name is not None:
        updates["last_name"] = _name(details.last_name, "lastName")
    if details.relationship is not None:
        updates["relationship"] = _name(
            details.relationship, "relationship", MAX_RELATIONSHIP_LENGTH, required=False
        )
    if details.email is not None:
        email = contact_points.normalize_email(details.email) if details.email.strip() else ""
        if email is None:
            raise DomainError(
                FamilyRecordErrorCode.INVALID_EMAIL, "This is not an email address.", "email"
            )
        updates["email"] = email or None
    if details.phone is not None:
        phone = contact_points.normalize_phone(details.phone) if details.phone.strip() else ""
        if phone is None:
            raise DomainError(
                FamilyRecordErrorCode.INVALID_PHONE,
                "This is not a phone number we can text (add the country code if it is "
                "not a US number).",
                "phone",
            )
        updates["phone"] = phone or None
    if details.preferred_contact is not None:
        updates["preferred_contact"] = details.preferred_contact
    if details.language is not None:
        updates["language"] = details.language
    if details.authorized_pickup is not None:
        updates["authorized_pickup"] = details.authorized_pickup
    return updates


def check_pickup(adult: FamilyAdult) -> None:
    """An authorized pickup can be called at the door: they need a cell phone."""
    if adult.authorized_pickup and not adult.phone:
        raise DomainError(
            FamilyRecordErrorCode.PICKUP_NEEDS_PHONE,
            "An authorized pickup needs a cell phone number.",
            "phone",
        )


def _values(adult: FamilyAdult, names: object) -> dict[str, object]:
    return {name: _jsonable(getattr(adult, name)) for name in names}  # type: ignore[attr-defined]


def _jsonable(value: object) -> object:
    return value.value if isinstance(value, StrEnum) else value


RECORD_FIELDS = tuple(f.name for f in fields(AdultDetails))


def record_values(adult: FamilyAdult) -> dict[str, object]:
    """An adult's record as the audit log keeps it (never a PIN)."""
    return _values(adult, RECORD_FIELDS)


# --- writing ----------------------------------------------------------------------------


async def create_adult(
    principal: Principal,
    family: Family,
    updates: dict[str, object],
    slot: GuardianSlot | None,
    secret: Keyring,
    action: str,
    on_behalf_of: tuple[str, UUID | str] | None = None,
) -> FamilyAdult:
    """A new adult with a fresh PIN; call inside a transaction holding the family row."""
    if "first_name" not in updates or "last_name" not in updates:
        raise InvalidInput("A first and a last name are needed.", "firstName")
    adult = FamilyAdult(family_id=family.id, guardian_slot=slot, **updates)
    check_pickup(adult)
    try:
        async with in_transaction():  # a savepoint: a lost slot race leaves no trace
            await adult.save(force_create=True)
    except IntegrityError:
        raise DomainError(
            FamilyRecordErrorCode.GUARDIAN_SLOT_TAKEN, "This guardian slot is taken.", "slot"
        ) from None
    await _give_pin(secret, family.agency_id, adult)
    await audit.record(
        principal,
        action,
        agency_id=family.agency_id,
        target_type="family_adult",
        target_id=adult.id,
        on_behalf_of=on_behalf_of,
        data={
            "family_id": str(family.id),
            "slot": slot.value if slot else None,
            "after": record_values(adult),
        },
    )
    return adult


async def _give_pin(secret: Keyring, agency_id: UUID | str, adult: FamilyAdult) -> None:
    if await PinCredential.filter(adult_id=adult.id).exists():
        return
    try:
        await pins.issue(secret, await Agency.get(id=agency_id), adult_id=adult.id)
    except pins.PinSpaceExhausted:
        raise DomainError(
            FamilyRecordErrorCode.PIN_SPACE_EXHAUSTED,
            "No free PIN is left at this length; ask an admin to choose longer PINs.",
        ) from None


async def change_adult(
    principal: Principal,
    adult: FamilyAdult,
    updates: dict[str, object],
    secret: Keyring,
    action: str,
    on_behalf_of: tuple[str, UUID | str] | None = None,
) -> FamilyAdult:
    """Apply updates to a locked adult, audited with the values before and after."""
    changed = {k: v for k, v in updates.items() if getattr(adult, k) != v}
    if not changed:
        return adult
    before = _values(adult, changed)
    adult.update_from_dict(changed)
    if "authorized_pickup" in changed or "phone" in changed:
        check_pickup(adult)
    await adult.save(update_fields=list(changed))
    family = await Family.get(id=adult.family_id)
    if adult.authorized_pickup:
        await _give_pin(secret, family.agency_id, adult)  # records from before every adult had one
    await audit.record(
        principal,
        action,
        agency_id=family.agency_id,
        target_type="family_adult",
        target_id=adult.id,
        on_behalf_of=on_behalf_of,
        data={"before": before, "after": _values(adult, changed)},
    )
    return adult


async def retire_adult(
    principal: Principal,
    adult: FamilyAdult,
    now: datetime,
    action: str,
    on_behalf_of: tuple[str, UUID | str] | None = None,
) -> FamilyAdult:
    """Remove a contact: the row stays for history; its PIN and shared pickups go."""
    if adult.is_guardian:
        raise DomainError(
            FamilyRecordErrorCode.GUARDIAN_NOT_REMOVABLE,
            "Parent/Guardian A and B cannot be removed; edit them instead.",
            "adultId",
        )
    before = _values(adult, ("first_name", "last_name", "authorized_pickup"))
    adult.removed_at = now
    adult.authorized_pickup = False
    await adult.save(update_fields=["removed_at", "authorized_pickup"])
    await PinCredential.filter(adult_id=adult.id).delete()
    shared = await SharedPickup.filter(adult_id=adult.id).values_list("family_id", flat=True)
    await SharedPickup.filter(adult_id=adult.id).delete()
    family = await Family.get(id=adult.family_id)
    await audit.record(
        principal,
        action,
        agency_id=family.agency_id,
        target_type="family_adult",
        target_id=adult.id,
        on_behalf_of=on_behalf_of,
        data={
            "before": before,
            "after": {"removed_at": now.isoformat(), "authorized_pickup": False},
            "shared_pickups_ended": [str(f) for f in shared],
        },
    )
    return adult


# --- staff operations ---------------------------------------------------------------------


async def add_guardian(
    principal: StaffPrincipal,
    family_id: UUID,
    slot: GuardianSlot | None,
    details: AdultDetails,
    secret: Keyring,
) -> FamilyAdult:
    """Parent/Guardian A or B (the first free slot when none is named)."""
    updates = cleaned_updates(details)
    async with in_transaction():
        family = await editable_family(principal, family_id)
        guardians = FamilyAdult.filter(family_id=family.id, guardian_slot__isnull=False)
        taken = {a.guardian_slot for a in await guardians}
        if slot is None:
            free = [s for s in GuardianSlot if s not in taken]
            if not free:
                raise DomainError(
                    FamilyRecordErrorCode.TOO_MANY_GUARDIANS,
                    "This family has a Parent/Guardian A and B already; add a contact.",
                    "slot",
                )
            slot = free[0]
        elif slot in taken:
            raise DomainError(
                FamilyRecordErrorCode.GUARDIAN_SLOT_TAKEN, "This guardian slot is taken.", "slot"
            )
        return await create_adult(principal, family, updates, slot, secret, "people.add_guardian")


async def add_contact(
    principal: StaffPrincipal, family_id: UUID, details: AdultDetails, secret: Keyring
) -> FamilyAdult:
    """A contact of the family (an authorized pickup when the details say so)."""
    updates = cleaned_updates(details)
    async with in_transaction():
        family = await editable_family(principal, family_id)
        return await create_adult(principal, family, updates, None, secret, "people.add_contact")


async def update_adult(
    principal: StaffPrincipal, adult_id: UUID, details: AdultDetails, secret: Keyring
) -> FamilyAdult:
    """Edit a guardian or a contact."""
    updates = cleaned_updates(details)
    async with in_transaction():
        adult = await editable_adult(principal, adult_id)
        return await change_adult(principal, adult, updates, secret, "people.update_adult")


async def remove_contact(principal: StaffPrincipal, adult_id: UUID, now: datetime) -> FamilyAdult:
    async with in_transaction():
        adult = await editable_adult(principal, adult_id)
        return await retire_adult(principal, adult, now, "people.remove_contact")
