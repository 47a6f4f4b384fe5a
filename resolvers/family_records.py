"""A family's people: staff edits, a parent's own edits, shared pickups. Thin calls."""

from __future__ import annotations

from uuid import UUID

from auth.principals import ParentPrincipal, is_parent
from models.people import Child, FamilyAdult, GuardianSlot
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome
from services import family_records, my_family, shared_pickups
from services.family_records import AdultDetails


def _parent(info: Info) -> ParentPrincipal:
    principal = info.context.principal
    assert is_parent(principal), "field must declare IsParent"
    return principal


async def shared_pickups_of(info: Info, child: Child) -> list[FamilyAdult]:
    return await info.context.loaders.shared_pickups_by_family.load(UUID(str(child.family_id)))


async def add_guardian(
    info: Info, family_id: str, slot: GuardianSlot | None, details: AdultDetails
) -> Outcome[FamilyAdult]:
    ctx = info.context
    family = object_id(family_id, "Family")
    secret = ctx.settings.secret
    return await outcome(family_records.add_guardian(ctx.staff, family, slot, details, secret))


async def add_contact(info: Info, family_id: str, details: AdultDetails) -> Outcome[FamilyAdult]:
    ctx = info.context
    family = object_id(family_id, "Family")
    return await outcome(
        family_records.add_contact(ctx.staff, family, details, ctx.settings.secret)
    )


async def update_adult(info: Info, adult_id: str, details: AdultDetails) -> Outcome[FamilyAdult]:
    ctx = info.context
    adult = object_id(adult_id, "Adult")
    return await outcome(
        family_records.update_adult(ctx.staff, adult, details, ctx.settings.secret)
    )


async def remove_contact(info: Info, adult_id: str) -> Outcome[FamilyAdult]:
    ctx = info.context
    adult = object_id(adult_id, "Adult")
    return await outcome(family_records.remove_contact(ctx.staff, adult, ctx.now()))


async def link_shared_pickup(info: Info, adult_id: str, family_id: str) -> Outcome[FamilyAdult]:
    adult, family = object_id(adult_id, "Adult"), object_id(family_id, "Family")
    return await outcome(shared_pickups.link_shared_pickup(info.context.staff, adult, family))


async def unlink_shared_pickup(info: Info, adult_id: str, family_id: str) -> Outcome[FamilyAdult]:
    adult, family = object_id(adult_id, "Adult"), object_id(family_id, "Family")
    return await outcome(shared_pickups.unlink_shared_pickup(info.context.staff, adult, family))


# --- parents ------------------------------------------------------------------------------


async def my_family_adults(info: Info) -> list[FamilyAdult]:
    return await my_family.my_family_adults(_parent(info))


async def update_my_contact(
    info: Info, guardian_id: str, details: AdultDetails
) -> Outcome[FamilyAdult]:
    guardian = object_id(guardian_id, "Adult")
    secret = info.context.settings.secret
    return await outcome(my_family.update_my_contact(_parent(info), guardian, details, secret))


async def add_family_contact(
    info: Info, family_id: str, details: AdultDetails
) -> Outcome[FamilyAdult]:
    family = object_id(family_id, "Family")
    secret = info.context.settings.secret
    return await outcome(my_family.add_family_contact(_parent(info), family, details, secret))


async def update_family_contact(
    info: Info, adult_id: str, details: AdultDetails
) -> Outcome[FamilyAdult]:
    adult = object_id(adult_id, "Adult")
    secret = info.context.settings.secret
    return await outcome(my_family.update_family_contact(_parent(info), adult, details, secret))


async def remove_family_contact(info: Info, adult_id: str) -> Outcome[FamilyAdult]:
    adult = object_id(adult_id, "Adult")
    return await outcome(my_family.remove_family_contact(_parent(info), adult, info.context.now()))
