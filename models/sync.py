"""Offline sync: entries of a child-day that do not fit the time-ordered record.

Every synced entry is an ``AttendanceEvent`` (source OFFLINE_SYNC). The child-day's
sessions are rebuilt from its events in time order; an event the sequence cannot place
(a sign-out while not signed in, a second sign-in) is a ``SyncConflict`` for staff to
review. A later entry can make it fit again (SETTLED); staff accept or dismiss the rest.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.attendance import AttendanceEvent
from models.org import Agency, Site, StaffUser
from models.people import Child


class ConflictReason(StrEnum):
    NOT_SIGNED_IN = "NOT_SIGNED_IN"
    ALREADY_SIGNED_IN = "ALREADY_SIGNED_IN"
    ALREADY_ATTENDED = "ALREADY_ATTENDED"
    ALREADY_ABSENT = "ALREADY_ABSENT"


class ConflictStatus(StrEnum):
    OPEN = "OPEN"
    # A later synced entry made the event fit the record: nothing left to decide.
    SETTLED = "SETTLED"
    ACCEPTED = "ACCEPTED"
    DISMISSED = "DISMISSED"


class SyncConflict(Model):
    """A recorded event the time-ordered child-day cannot place, and the staff decision."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="sync_conflicts", on_delete=fields.RESTRICT
    )
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="sync_conflicts", on_delete=fields.RESTRICT
    )
    child: fields.ForeignKeyRelation[Child] = fields.ForeignKeyField(
        "models.Child", related_name="sync_conflicts", on_delete=fields.RESTRICT
    )
    event: fields.OneToOneRelation[AttendanceEvent] = fields.OneToOneField(
        "models.AttendanceEvent", related_name="sync_conflict", on_delete=fields.RESTRICT
    )
    local_date = fields.DateField(db_index=True)
    reason = fields.CharEnumField(ConflictReason, max_length=20)
    status = fields.CharEnumField(ConflictStatus, max_length=10, default=ConflictStatus.OPEN)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    decided_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="sync_decisions", null=True, on_delete=fields.RESTRICT
    )
    decided_by_name = fields.CharField(max_length=200, null=True)
    note = fields.CharField(max_length=500, default="")

    agency_id: str
    site_id: str
    child_id: str
    event_id: str
    decided_by_id: str | None

    class Meta:
        table = "sync_conflict"
        ordering = ["created_at"]
