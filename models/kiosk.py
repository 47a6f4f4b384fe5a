"""Kiosks: tablets paired to one site to run its PIN pad and show its QR code."""

from __future__ import annotations

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

    site_id: str

    class Meta:
        table = "kiosk"
