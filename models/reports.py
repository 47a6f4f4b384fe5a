"""Reports built for download: the file itself, kept for a few minutes behind a token."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.org import Agency


class ReportDownload(Model):
    """A built report. Only a keyed hash of its link token is stored, and it expires soon."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="report_downloads", on_delete=fields.RESTRICT
    )
    # Who asked (a staff user or a family account), for the audit trail.
    requested_by = fields.UUIDField()
    token_hash = fields.CharField(max_length=64, unique=True)
    filename = fields.CharField(max_length=200)
    content_type = fields.CharField(max_length=100)
    body = fields.BinaryField()
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    agency_id: str

    class Meta:
        table = "report_download"
