"""An adult of one family authorized to pick up the children of another, and the end of
it. Same reach as services/family_records.py: a foreign family or adult is NOT_FOUND."""

from __future__ import annotations

from uuid import UUID

from tortoise.transactions import in_transaction

from auth.principals import StaffPrincipal
from models.people import FamilyAdult, SharedPickup
from services import audit, family_records
from services.errors import DomainError
from services.family_records import FamilyRecordErrorCode


async def link_shared_pickup(
    principal: StaffPrincipal, adult_id: UUID, family_id: UUID
) -> FamilyAdult:
    """Authorize an adult of one family to pick up the children of another."""
    async with in_transaction():
        family = await family_records.editable_family(principal, family_id)
        adult = await family_records.editable_adult(principal, adult_id)
        if adult.family_id == family.id:
            raise DomainError(
                FamilyRecordErrorCode.SAME_FAMILY,
                "This adult belongs to that family; make them an authorized pickup instead.",
                "familyId",
            )
        if not adult.phone:
            raise DomainError(
                FamilyRecordErrorCode.PICKUP_NEEDS_PHONE,
                "An authorized pickup needs a cell phone number.",
                "adultId",
            )
        _, created = await SharedPickup.get_or_create(adult_id=adult.id, family_id=family.id)
        if created:
            await audit.record(
                principal,
                "people.link_shared_pickup",
                agency_id=family.agency_id,
                target_type="family_adult",
                target_id=adult.id,
                data={"before": {"shared_with": None}, "after": {"shared_with": str(family.id)}},
            )
        return adult


async def unlink_shared_pickup(
    principal: StaffPrincipal, adult_id: UUID, family_id: UUID
) -> FamilyAdult:
    async with in_transaction():
        family = await family_records.editable_family(principal, family_id)
        adult = await family_records.editable_adult(principal, adult_id)
        deleted = await SharedPickup.filter(adult_id=adult.id, family_id=family.id).delete()
        if not deleted:
            raise DomainError(
                FamilyRecordErrorCode.NOT_SHARED,
                "This adult is not a shared pickup of that family.",
                "familyId",
            )
        await audit.record(
            principal,
            "people.unlink_shared_pickup",
            agency_id=family.agency_id,
            target_type="family_adult",
            target_id=adult.id,
            data={"before": {"shared_with": str(family.id)}, "after": {"shared_with": None}},
        )
        return adult
