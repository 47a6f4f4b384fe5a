"""The state subsidy export: site connections, matches, child-days and every transmission."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.org import Agency, Site, StaffUser
from models.people import Child


class MatchStatus(StrEnum):
    MATCHED = "MATCHED"
    NOT_FOUND = "NOT_FOUND"
    NEEDS_REVIEW = "NEEDS_REVIEW"


class AttemptOutcome(StrEnum):
    TRANSFERRED = "TRANSFERRED"
    # The state refused the day (closed period, validation, credentials): staff act.
    ERROR = "ERROR"
    # The state could not answer (429, 5xx, timeout, unreadable body): sent again later.
    RETRY = "RETRY"


class SendCause(StrEnum):
    CHECK_OUT = "CHECK_OUT"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    MANUAL = "MANUAL"


class SubsidyConnection(Model):
    """A site linked to the state system. The password is sealed with the server key."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="subsidy_connections", on_delete=fields.RESTRICT
    )
    site: fields.OneToOneRelation[Site] = fields.OneToOneField(
        "models.Site", related_name="subsidy_connection", on_delete=fields.RESTRICT
    )
    provider_id = fields.CharField(max_length=64)
    password_sealed: str | None = fields.TextField(null=True)
    connected_at = fields.DatetimeField()
    connected_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="subsidy_connections", null=True, on_delete=fields.RESTRICT
    )
    # Null while connected. Disconnecting drops the password and stops every transfer.
    disconnected_at = fields.DatetimeField(null=True)
    # The state list of children last fetched, and when (matching re-runs against it).
    state_children: list[dict[str, Any]] = fields.JSONField(default=list)
    children_fetched_at = fields.DatetimeField(null=True)
    fetch_error = fields.CharField(max_length=500, default="")
    # Matching asked for (connect, manual re-run): the next worker pass fetches and matches.
    match_requested_at = fields.DatetimeField(null=True)

    agency_id: str
    site_id: str
    connected_by_id: str | None

    class Meta:
        table = "subsidy_connection"


class SubsidyMatch(Model):
    """Which state record a child is, at one connected site, and how that was decided."""

    id = fields.UUIDField(primary_key=True)
    connection: fields.ForeignKeyRelation[SubsidyConnection] = fields.ForeignKeyField(
        "models.SubsidyConnection", related_name="matches", on_delete=fields.CASCADE
    )
    child: fields.ForeignKeyRelation[Child] = fields.ForeignKeyField(
        "models.Child", related_name="subsidy_matches", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(MatchStatus, max_length=12)
    state_id = fields.CharField(max_length=64, null=True)
    # BY_ID, BY_NAME, MANUAL, or empty when not matched.
    method = fields.CharField(max_length=10, default="")
    # The state rows shown beside the child for review.
    candidates: list[dict[str, Any]] = fields.JSONField(default=list)
    # The child's fields matching read, so a change to them re-runs the matching.
    fingerprint = fields.CharField(max_length=64, default="")
    # A manual decision (match or unmatch) is kept until staff change it.
    manual = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField()

    connection_id: str
    child_id: str

    class Meta:
        table = "subsidy_match"
        unique_together = (("connection", "child"),)


class SubsidyDay(Model):
    """One child-day known to the export: what was last sent and how the state answered."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="subsidy_days", on_delete=fields.RESTRICT
    )
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="subsidy_days", on_delete=fields.RESTRICT
    )
    child: fields.ForeignKeyRelation[Child] = fields.ForeignKeyField(
        "models.Child", related_name="subsidy_days", on_delete=fields.RESTRICT
    )
    local_date = fields.DateField()
    # Hash of the content the state last accepted, and of the content last tried.
    transferred_hash = fields.CharField(max_length=64, null=True)
    attempted_hash = fields.CharField(max_length=64, null=True)
    last_outcome = fields.CharEnumField(AttemptOutcome, max_length=12, null=True)
    last_error = fields.CharField(max_length=500, default="")
    last_attempt_at = fields.DatetimeField(null=True)
    # A send asked for by hand or by a weekly or month-end sweep, whatever the content.
    requested_at = fields.DatetimeField(null=True)
    requested_cause = fields.CharEnumField(SendCause, max_length=10, null=True)
    # After a RETRY: not before this.
    retry_after = fields.DatetimeField(null=True)
    # A worker holding the day while it sends it.
    claimed_until = fields.DatetimeField(null=True)

    agency_id: str
    site_id: str
    child_id: str

    class Meta:
        table = "subsidy_day"
        unique_together = (("site", "child", "local_date"),)


class SubsidyAttempt(Model):
    """One transmission of a child-day: what was sent, its hash, and what came back."""

    id = fields.UUIDField(primary_key=True)
    day: fields.ForeignKeyRelation[SubsidyDay] = fields.ForeignKeyField(
        "models.SubsidyDay", related_name="attempts", on_delete=fields.RESTRICT
    )
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="subsidy_attempts", on_delete=fields.RESTRICT
    )
    cause = fields.CharEnumField(SendCause, max_length=10)
    started_at = fields.DatetimeField()
    provider_id = fields.CharField(max_length=64)
    state_child_id = fields.CharField(max_length=64)
    idempotency_key = fields.CharField(max_length=200)
    sent: dict[str, Any] = fields.JSONField()
    content_hash = fields.CharField(max_length=64)
    outcome = fields.CharEnumField(AttemptOutcome, max_length=12)
    answer_code = fields.CharField(max_length=32)
    answer_message = fields.CharField(max_length=500, default="")
    answer_text = fields.TextField(default="")
    receipt = fields.CharField(max_length=200, null=True)
    # Kept for the agency retention period from the day it was sent.
    keep_until = fields.DateField()

    day_id: str
    agency_id: str

    class Meta:
        table = "subsidy_attempt"
        ordering = ["started_at"]
        # The worker's retention purge reads past keep_until every pass.
        indexes = (("keep_until",),)


class SubsidySweep(Model):
    """The claim of one weekly or month-end re-send of a site: unique, so once per site
    and period whatever the number of workers."""

    id = fields.UUIDField(primary_key=True)
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="subsidy_sweeps", on_delete=fields.RESTRICT
    )
    cause = fields.CharEnumField(SendCause, max_length=10)
    period_start = fields.DateField()
    period_end = fields.DateField()
    claimed_at = fields.DatetimeField()

    site_id: str

    class Meta:
        table = "subsidy_sweep"
        unique_together = (("site", "cause", "period_start"),)
