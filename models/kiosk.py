"""Kiosks: tablets paired to one site to run its PIN pad and show its QR code."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.org import Site, StaffUser


class Kiosk(Model):
    """A paired tablet. Revoking it ends its device token at once, open sockets included."""

    id = fields.UUIDField(primary_key=True)
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="kiosks", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    paired_by: fields.ForeignKeyRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="paired_kiosks", on_delete=fields.RESTRICT
    )
    paired_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)
    # Locked by too many wrong PINs until this time, or by staff until a staff PIN.
    locked_until = fields.DatetimeField(null=True)
    locked_manually_at = fields.DatetimeField(null=True)

    site_id: str

    class Meta:
        table = "kiosk"


class PinPurpose(StrEnum):
    PAD = "PAD"
    UNLOCK = "UNLOCK"


class PinFailure(Model):
    """One wrong PIN at a kiosk, counted for lockouts. The tried PIN is never kept."""

    id = fields.IntField(primary_key=True)
    kiosk: fields.ForeignKeyRelation[Kiosk] = fields.ForeignKeyField(
        "models.Kiosk", related_name="pin_failures", on_delete=fields.CASCADE
    )
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="pin_failures", on_delete=fields.CASCADE
    )
    purpose = fields.CharEnumField(PinPurpose, max_length=8)
    failed_at = fields.DatetimeField(db_index=True)

    kiosk_id: str
    site_id: str

    class Meta:
        table = "pin_failure"
