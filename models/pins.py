"""PIN credentials of staff and family adults, in one namespace per agency."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.org import Agency, StaffUser
from models.people import FamilyAdult


class PinOwnerKind(StrEnum):
    STAFF = "STAFF"
    ADULT = "ADULT"


class PinCredential(Model):
    """A PIN held by one staff member or one family adult, never both.

    ``lookup`` is a keyed HMAC over the agency ID and the PIN, so a unique column makes a
    PIN unique within its agency across staff and adults alike: the pad can tell a staff
    PIN from a parent PIN without ambiguity. ``encrypted`` is the copy staff may read
    back. The clear PIN is never stored.
    """

    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="pins", on_delete=fields.RESTRICT
    )
    lookup = fields.CharField(max_length=64, unique=True)
    encrypted = fields.TextField()
    staff: fields.OneToOneNullableRelation[StaffUser] = fields.OneToOneField(
        "models.StaffUser", related_name="pin", null=True, on_delete=fields.CASCADE
    )
    adult: fields.OneToOneNullableRelation[FamilyAdult] = fields.OneToOneField(
        "models.FamilyAdult", related_name="pin", null=True, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    agency_id: str
    staff_id: str | None
    adult_id: str | None

    class Meta:
        table = "pin_credential"

    @property
    def owner_kind(self) -> PinOwnerKind:
        return PinOwnerKind.STAFF if self.staff_id is not None else PinOwnerKind.ADULT
