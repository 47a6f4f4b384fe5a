"""Parent signatures over attendance, and attendance submitted to families to sign.

A signature binds the content it signed: the entries as they read when signed are kept
in ``content`` with their SHA-256, so a later correction of a signed time cannot change
what the parent agreed to; it marks the signature stale and the entries need signing
again.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.attendance import AttendanceEvent
from models.org import Agency, Site, StaffUser
from models.people import ContactMethod, Family, FamilyAdult


class SignatureMethod(StrEnum):
    # The adult's own PIN at the kiosk, when they were asked at their next sign-in.
    KIOSK_PIN = "KIOSK_PIN"
    # A signed-in family account confirming in the family app.
    FAMILY_APP = "FAMILY_APP"
    # A signature drawn on screen, with the certification ticked (submissions).
    DRAWN = "DRAWN"


class ParentSignature(Model):
    """A guardian signature over attendance entries. Only the stale and reset marks change."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="parent_signatures", on_delete=fields.RESTRICT
    )
    adult: fields.ForeignKeyRelation[FamilyAdult] = fields.ForeignKeyField(
        "models.FamilyAdult", related_name="signatures", on_delete=fields.RESTRICT
    )
    method = fields.CharEnumField(SignatureMethod, max_length=12)
    signed_at = fields.DatetimeField()
    device = fields.CharField(max_length=100)
    # The entries as the parent saw them, and the SHA-256 of their canonical JSON.
    content: list[dict[str, Any]] = fields.JSONField()
    content_hash = fields.CharField(max_length=64)
    # Drawn signatures: the pen strokes as captured, and their rendering.
    strokes: list[Any] | None = fields.JSONField(null=True)
    svg = fields.TextField(null=True)
    certified = fields.BooleanField(default=False)
    # A signed entry was corrected after signing: the parent must sign again.
    stale_at = fields.DatetimeField(null=True)
    # Staff withdrew the signature (resetParentSignature); the entries need signing again.
    reset_at = fields.DatetimeField(null=True)
    reset_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="reset_signatures", null=True, on_delete=fields.RESTRICT
    )

    agency_id: str
    adult_id: str
    reset_by_id: str | None

    class Meta:
        table = "parent_signature"

    @property
    def is_current(self) -> bool:
        return self.stale_at is None and self.reset_at is None


class SignedEntry(Model):
    """One attendance event covered by a signature."""

    id = fields.IntField(primary_key=True)
    signature: fields.ForeignKeyRelation[ParentSignature] = fields.ForeignKeyField(
        "models.ParentSignature", related_name="entries", on_delete=fields.RESTRICT
    )
    event: fields.ForeignKeyRelation[AttendanceEvent] = fields.ForeignKeyField(
        "models.AttendanceEvent", related_name="signed_entries", on_delete=fields.RESTRICT
    )

    signature_id: str
    event_id: str

    class Meta:
        table = "signed_entry"
        unique_together = (("signature", "event"),)


class AttendanceSubmission(Model):
    """Staff submitted the attendance of a site for a period, for every family to sign."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="submissions", on_delete=fields.RESTRICT
    )
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="submissions", on_delete=fields.RESTRICT
    )
    period_from = fields.DateField()
    period_to = fields.DateField()
    submitted_by: fields.ForeignKeyRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="submissions", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    agency_id: str
    site_id: str
    submitted_by_id: str

    class Meta:
        table = "attendance_submission"


class SubmissionRequest(Model):
    """The link of one family to review and sign a submission, a single-use hashed token."""

    id = fields.UUIDField(primary_key=True)
    submission: fields.ForeignKeyRelation[AttendanceSubmission] = fields.ForeignKeyField(
        "models.AttendanceSubmission", related_name="requests", on_delete=fields.RESTRICT
    )
    family: fields.ForeignKeyRelation[Family] = fields.ForeignKeyField(
        "models.Family", related_name="submission_requests", on_delete=fields.RESTRICT
    )
    # The guardian who was sent the link and who signs.
    adult: fields.ForeignKeyRelation[FamilyAdult] = fields.ForeignKeyField(
        "models.FamilyAdult", related_name="submission_requests", on_delete=fields.RESTRICT
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    verified_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    signature: fields.ForeignKeyNullableRelation[ParentSignature] = fields.ForeignKeyField(
        "models.ParentSignature",
        related_name="submission_requests",
        null=True,
        on_delete=fields.RESTRICT,
    )

    submission_id: str
    family_id: str
    adult_id: str
    signature_id: str | None

    class Meta:
        table = "submission_request"


class VerificationCode(Model):
    """A code sent by email or SMS to prove who opens a submission link.

    6 digits, 10 minutes, single use, 5 tries; only a keyed hash is stored.
    """

    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[SubmissionRequest] = fields.ForeignKeyField(
        "models.SubmissionRequest", related_name="verification_codes", on_delete=fields.CASCADE
    )
    channel = fields.CharEnumField(ContactMethod, max_length=8)
    destination = fields.CharField(max_length=254, db_index=True)
    code_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    attempts = fields.SmallIntField(default=0)

    request_id: str

    class Meta:
        table = "verification_code"
