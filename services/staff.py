"""Staff accounts: creating staff, their access and their PINs.

Agency admins do all of it, within their own agency: a staff member of another agency is
as unknown as one that does not exist. Every change is audited with its before and after
values (never a PIN or a password); changes of access close the staff member's open
sockets, which reconnect with what they may do now (``org.access_changed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from auth import passwords, sessions
from auth.keys import Keyring
from auth.principals import StaffPrincipal
from models.access import PasswordTokenKind, StaffPasswordToken
from models.org import Agency, Role, StaffSiteAccess, StaffUser
from models.pins import PinCredential
from realtime.bus import EventBus
from services import audit, contact_points, org, pins
from services.errors import DomainError, InvalidInput, NotFound
from services.staff_passwords import LinkPolicy, send_link


class StaffErrorCode(StrEnum):
    """Rule failures of creating and changing staff accounts."""

    EMAIL_TAKEN = "EMAIL_TAKEN"
    LAST_ADMIN = "LAST_ADMIN"
    CANNOT_DEACTIVATE_SELF = "CANNOT_DEACTIVATE_SELF"
    INACTIVE = "INACTIVE"
    PIN_SPACE_EXHAUSTED = "PIN_SPACE_EXHAUSTED"


MAX_NAME_LENGTH = 100
MAX_SITES = 500
# Who the audit log names for what the operator does from the command line.


@dataclass(frozen=True)
class NewStaff:
    first_name: str
    last_name: str
    email: str
    role_id: UUID
    site_ids: Sequence[UUID]
    is_agency_admin: bool = False


@dataclass(frozen=True)
class AccessChanges:
    staff_id: UUID
    role_id: UUID
    site_ids: Sequence[UUID]
    # None keeps the staff member's admin flag as it is.
    is_agency_admin: bool | None = None


@dataclass(frozen=True)
class StaffRecord:
    """A staff member with their role and the sites they work at."""

    staff: StaffUser
    role: Role | None
    site_ids: list[UUID]


# --- checks ---------------------------------------------------------------------------


def checked_name(value: str, field: str, limit: int = MAX_NAME_LENGTH) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput("Must not be empty.", field)
    if len(cleaned) > limit:
        raise InvalidInput(f"At most {limit} characters.", field)
    return cleaned


def checked_email(value: str) -> str:
    email = contact_points.normalize_email(value)
    if email is None:
        raise InvalidInput("Give a valid email address.", "email")
    return email


async def refuse_taken_email(email: str) -> None:
    # Unique across agencies, because staff sign in by email alone.
    if await StaffUser.exists(email=email):
        raise DomainError(
            StaffErrorCode.EMAIL_TAKEN, "A staff account with this email already exists.", "email"
        )


def staff_snapshot(staff: StaffUser, site_ids: Sequence[UUID | str]) -> dict[str, Any]:
    """What the audit log keeps of a staff member: never a PIN or a password."""
    return {
        "first_name": staff.first_name,
        "last_name": staff.last_name,
        "email": staff.email,
        "role_id": str(staff.role_id) if staff.role_id else None,
        "site_ids": sorted(str(s) for s in site_ids),
        "is_agency_admin": staff.is_agency_admin,
        "is_active": staff.is_active,
    }


async def _site_ids_of(staff: StaffUser) -> list[UUID]:
    found = await StaffSiteAccess.filter(staff_id=staff.id).values_list("site_id", flat=True)
    return [UUID(str(s)) for s in found]


async def record_of(staff: StaffUser) -> StaffRecord:
    role = await Role.get_or_none(id=staff.role_id) if staff.role_id else None
    return StaffRecord(staff, role, sorted(await _site_ids_of(staff), key=str))


async def _role(principal: StaffPrincipal, role_id: UUID) -> Role:
    role = await Role.get_or_none(id=role_id, agency_id=principal.agency_id)
    if role is None:
        raise NotFound("Role")
    return role


async def _sites(principal: StaffPrincipal, site_ids: Sequence[UUID]) -> list[UUID]:
    wanted = set(site_ids)
    if len(wanted) > MAX_SITES:
        raise InvalidInput(f"At most {MAX_SITES} sites.", "siteIds")
    found = (
        await org.readable_sites(principal).filter(id__in=list(wanted)).values_list("id", flat=True)
    )
    if len(found) != len(wanted):
        raise NotFound("Site")
    return sorted((UUID(str(s)) for s in found), key=str)


async def locked_staff(principal: StaffPrincipal, staff_id: UUID) -> StaffUser:
    """A staff member of the caller's agency, locked for the change."""
    staff = (
        await StaffUser.filter(id=staff_id, agency_id=principal.agency_id)
        .select_for_update()
        .first()
    )
    if staff is None:
        raise NotFound("Staff member")
    return staff


def require_active(staff: StaffUser) -> None:
    if not staff.is_active:
        raise DomainError(StaffErrorCode.INACTIVE, "This staff member is deactivated.", "staffId")


async def issue_pin(secret: Keyring, agency: Agency, staff: StaffUser) -> None:
    try:
        await pins.issue(secret, agency, staff_id=staff.id)
    except pins.PinSpaceExhausted:
        raise DomainError(
            StaffErrorCode.PIN_SPACE_EXHAUSTED,
            "No free PIN of this length is left in the agency; choose longer PINs.",
        ) from None


# --- staff -------------------------------------------------------------------------------


async def staff_members(principal: StaffPrincipal) -> list[StaffRecord]:
    """Everyone on the agency's staff, deactivated ones included, by name."""
    members = await StaffUser.filter(agency_id=principal.agency_id).order_by(
        "last_name", "first_name"
    )
    roles = {str(r.id): r for r in await Role.filter(agency_id=principal.agency_id)}
    access_rows = await StaffSiteAccess.filter(staff_id__in=[m.id for m in members])
    sites: dict[str, list[UUID]] = {}
    for row in access_rows:
        sites.setdefault(str(row.staff_id), []).append(UUID(str(row.site_id)))
    return [
        StaffRecord(
            m,
            roles.get(str(m.role_id)) if m.role_id else None,
            sorted(sites.get(str(m.id), []), key=str),
        )
        for m in members
    ]


async def create_staff(
    principal: StaffPrincipal, new: NewStaff, *, links: LinkPolicy, now: datetime
) -> StaffRecord:
    """A staff member with a role, sites and a staff PIN; their invitation is queued."""
    first_name = checked_name(new.first_name, "firstName")
    last_name = checked_name(new.last_name, "lastName")
    email = checked_email(new.email)
    try:
        async with in_transaction():
            agency = await Agency.get(id=principal.agency_id)
            role = await _role(principal, new.role_id)
            site_ids = await _sites(principal, new.site_ids)
            await refuse_taken_email(email)
            staff = await StaffUser.create(
                agency=agency,
                role=role,
                email=email,
                first_name=first_name,
                last_name=last_name,
                password_hash=passwords.UNUSABLE_PASSWORD,
                is_agency_admin=new.is_agency_admin,
            )
            await StaffSiteAccess.bulk_create(
                [StaffSiteAccess(staff_id=staff.id, site_id=s) for s in site_ids]
            )
            await issue_pin(links.secret, agency, staff)
            await send_link(staff, agency, PasswordTokenKind.INVITATION, policy=links, now=now)
            await audit.record(
                principal,
                "staff.create",
                agency_id=agency.id,
                target_type="staff",
                target_id=staff.id,
                data={"before": None, "after": staff_snapshot(staff, site_ids)},
            )
    except IntegrityError:
        # Another request created this email first.
        raise DomainError(
            StaffErrorCode.EMAIL_TAKEN, "A staff account with this email already exists.", "email"
        ) from None
    return StaffRecord(staff, role, site_ids)


async def send_invitation(
    principal: StaffPrincipal, staff_id: UUID, *, links: LinkPolicy, now: datetime
) -> StaffRecord:
    """Queue a new set-password link; the staff member's earlier links stop working."""
    async with in_transaction():
        staff = await locked_staff(principal, staff_id)
        require_active(staff)
        agency = await Agency.get(id=principal.agency_id)
        await send_link(staff, agency, PasswordTokenKind.INVITATION, policy=links, now=now)
        await audit.record(
            principal,
            "staff.invite",
            agency_id=agency.id,
            target_type="staff",
            target_id=staff.id,
        )
    return await record_of(staff)


async def _other_active_admins(agency_id: UUID, staff_id: UUID) -> bool:
    # The agency row is locked first, so two admins demoting each other take turns.
    await Agency.filter(id=agency_id).select_for_update().first()
    return (
        await StaffUser.filter(agency_id=agency_id, is_agency_admin=True, is_active=True)
        .exclude(id=staff_id)
        .exists()
    )


async def update_access(
    principal: StaffPrincipal, changes: AccessChanges, *, bus: EventBus
) -> StaffRecord:
    """Replace a staff member's role and sites (and admin flag, when given)."""
    async with in_transaction():
        staff = await locked_staff(principal, changes.staff_id)
        require_active(staff)
        role = await _role(principal, changes.role_id)
        site_ids = await _sites(principal, changes.site_ids)
        before = staff_snapshot(staff, await _site_ids_of(staff))
        admin = (
            staff.is_agency_admin if changes.is_agency_admin is None else changes.is_agency_admin
        )
        demoted = staff.is_agency_admin and not admin
        if demoted and not await _other_active_admins(principal.agency_id, staff.id):
            raise DomainError(
                StaffErrorCode.LAST_ADMIN,
                "The agency needs at least one active agency admin.",
                "isAgencyAdmin",
            )
        staff.role = role
        staff.is_agency_admin = admin
        await staff.save(update_fields=["role_id", "is_agency_admin"])
        await StaffSiteAccess.filter(staff_id=staff.id).exclude(site_id__in=site_ids).delete()
        kept = {str(s) for s in await _site_ids_of(staff)}
        await StaffSiteAccess.bulk_create(
            [StaffSiteAccess(staff_id=staff.id, site_id=s) for s in site_ids if str(s) not in kept]
        )
        await audit.record(
            principal,
            "staff.update_access",
            agency_id=principal.agency_id,
            target_type="staff",
            target_id=staff.id,
            data={"before": before, "after": staff_snapshot(staff, site_ids)},
        )
    await org.access_changed(bus, [staff.id])
    return StaffRecord(staff, role, site_ids)


async def deactivate(
    principal: StaffPrincipal, staff_id: UUID, *, bus: EventBus, now: datetime
) -> StaffRecord:
    """The staff member can no longer sign in, use a link or a PIN; their sessions end and
    their sockets close. Their name stays on everything they recorded."""
    if staff_id == principal.user_id:
        raise DomainError(
            StaffErrorCode.CANNOT_DEACTIVATE_SELF,
            "Ask another agency admin to deactivate your account.",
            "staffId",
        )
    async with in_transaction():
        staff = await locked_staff(principal, staff_id)
        require_active(staff)
        if staff.is_agency_admin and not await _other_active_admins(principal.agency_id, staff.id):
            raise DomainError(
                StaffErrorCode.LAST_ADMIN,
                "The agency needs at least one active agency admin.",
                "staffId",
            )
        site_ids = await _site_ids_of(staff)
        before = staff_snapshot(staff, site_ids)
        staff.is_active = False
        await staff.save(update_fields=["is_active"])
        await sessions.revoke_staff_sessions(staff.id, now)
        await StaffPasswordToken.filter(
            staff_id=staff.id, used_at__isnull=True, superseded_at__isnull=True
        ).update(superseded_at=now)
        # Frees the PIN too: nobody can unlock a pad or confirm an entry with it.
        removed = await PinCredential.filter(staff_id=staff.id).delete()
        await audit.record(
            principal,
            "staff.deactivate",
            agency_id=principal.agency_id,
            target_type="staff",
            target_id=staff.id,
            data={
                "before": before,
                "after": staff_snapshot(staff, site_ids),
                "pin_removed": bool(removed),
            },
        )
    await org.access_changed(bus, [staff.id])
    return await record_of(staff)
