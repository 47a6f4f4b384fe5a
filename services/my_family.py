"""A signed-in parent keeps their own contact details and their family's contacts and
pickups. Staff edit every adult of a family: services/family_records.py.

A parent reaches their own Parent/Guardian records (never the other guardian's) and the
contacts of their families (never another family's); anything else is NOT_FOUND.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.keys import Keyring
from auth.principals import ParentPrincipal
from models.people import Family, FamilyAdult
from services import family_records
from services.errors import NotFound
from services.family_records import AdultDetails

# What a parent may change on their own guardian record: how to reach them, not who they
# are (names and relationship are the agency's record).
OWN_CONTACT_FIELDS = ("email", "phone", "preferred_contact", "language")


def _as_parent(principal: ParentPrincipal) -> tuple[str, UUID]:
    return ("PARENT", principal.account_id)


def own_guardians(principal: ParentPrincipal) -> QuerySet[FamilyAdult]:
    return FamilyAdult.filter(
        id__in=list(principal.adult_ids),
        family__agency_id__in=list(principal.agency_ids),
        removed_at__isnull=True,
    )


def family_contacts(principal: ParentPrincipal) -> QuerySet[FamilyAdult]:
    """The contacts and pickups of the parent's families (guardians are not contacts)."""
    return FamilyAdult.filter(
        family_id__in=list(principal.family_ids),
        family__agency_id__in=list(principal.agency_ids),
        guardian_slot__isnull=True,
        removed_at__isnull=True,
    )


async def my_family_adults(principal: ParentPrincipal) -> list[FamilyAdult]:
    """The parent's own guardian records, then their families' contacts by name."""
    own = await own_guardians(principal).order_by("guardian_slot")
    contacts = await family_contacts(principal).order_by("last_name", "first_name", "id")
    return [*own, *contacts]


async def _locked(query: QuerySet[FamilyAdult], adult_id: UUID) -> FamilyAdult:
    if not await query.filter(id=adult_id).exists():
        raise NotFound("Adult")
    return await FamilyAdult.select_for_update().get(id=adult_id)


async def update_my_contact(
    principal: ParentPrincipal, guardian_id: UUID, details: AdultDetails, secret: Keyring
) -> FamilyAdult:
    own = AdultDetails(**{name: getattr(details, name) for name in OWN_CONTACT_FIELDS})
    updates = family_records.cleaned_updates(own)
    async with in_transaction():
        adult = await _locked(own_guardians(principal), guardian_id)
        return await family_records.change_adult(
            principal, adult, updates, secret, "family.update_my_contact", _as_parent(principal)
        )


async def add_family_contact(
    principal: ParentPrincipal, family_id: UUID, details: AdultDetails, secret: Keyring
) -> FamilyAdult:
    updates = family_records.cleaned_updates(details)
    if family_id not in principal.family_ids:
        raise NotFound("Family")
    async with in_transaction():
        family = await Family.select_for_update().get_or_none(
            id=family_id, agency_id__in=list(principal.agency_ids)
        )
        if family is None:
            raise NotFound("Family")
        return await family_records.create_adult(
            principal, family, updates, None, secret, "family.add_contact", _as_parent(principal)
        )


async def update_family_contact(
    principal: ParentPrincipal, adult_id: UUID, details: AdultDetails, secret: Keyring
) -> FamilyAdult:
    updates = family_records.cleaned_updates(details)
    async with in_transaction():
        adult = await _locked(family_contacts(principal), adult_id)
        return await family_records.change_adult(
            principal, adult, updates, secret, "family.update_contact", _as_parent(principal)
        )


async def remove_family_contact(
    principal: ParentPrincipal, adult_id: UUID, now: datetime
) -> FamilyAdult:
    async with in_transaction():
        adult = await _locked(family_contacts(principal), adult_id)
        return await family_records.retire_adult(
            principal, adult, now, "family.remove_contact", _as_parent(principal)
        )
