"""Waitlist applications: what a family asks for before it is enrolled, the questions an
agency asks on its form, and the priority flags that order its waitlist."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.family_accounts import FamilyAccount
from models.org import Agency, Program, Site, StaffUser
from models.people import ContactMethod, Family, Language

NUMBER_PREFIX = "A-"


class ApplicationStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    WAITLISTED = "WAITLISTED"
    OFFERED = "OFFERED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    WITHDRAWN = "WITHDRAWN"
    ENROLLED = "ENROLLED"


class QuestionKind(StrEnum):
    TEXT = "TEXT"
    YES_NO = "YES_NO"
    CHOICE = "CHOICE"


class ApplicationQuestion(Model):
    """A question an agency asks on its application form."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="application_questions", on_delete=fields.RESTRICT
    )
    prompt = fields.CharField(max_length=300)
    kind = fields.CharEnumField(QuestionKind, max_length=8)
    # The allowed answers of a CHOICE question, in the order the form shows them.
    choices: list[str] = fields.JSONField(default=list)
    required = fields.BooleanField(default=False)
    # Where the form shows it: questions are shown in the order they were added.
    position = fields.SmallIntField()
    archived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "application_question"


class PriorityFlag(Model):
    """An agency-defined reason to rank an application first (a sibling, a subsidy).
    Lower rank comes first."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="priority_flags", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    rank = fields.SmallIntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "priority_flag"
        unique_together = (("agency", "name"),)


class Application(Model):
    """One family asking for places, numbered per agency."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="applications", on_delete=fields.RESTRICT
    )
    number = fields.IntField()
    status = fields.CharEnumField(
        ApplicationStatus, max_length=10, default=ApplicationStatus.SUBMITTED, db_index=True
    )
    # The first guardian's last name, kept apart so staff can search by it.
    family_name = fields.CharField(max_length=100, db_index=True)
    children: list[dict[str, str]] = fields.JSONField(default=list)
    guardians: list[dict[str, str]] = fields.JSONField(default=list)
    language = fields.CharEnumField(Language, max_length=2)
    contact_method = fields.CharEnumField(ContactMethod, max_length=5)
    desired_start = fields.DateField()
    program: fields.ForeignKeyNullableRelation[Program] = fields.ForeignKeyField(
        "models.Program", related_name="applications", null=True, on_delete=fields.RESTRICT
    )
    answers: dict[str, str] = fields.JSONField(default=dict)
    # The best (lowest) rank of its priority flags, or null: the waitlist sorts on it.
    priority_rank = fields.SmallIntField(null=True)
    priority_flag_ids: list[str] = fields.JSONField(default=list)
    submitted_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="applications", null=True, on_delete=fields.RESTRICT
    )
    submitted_at = fields.DatetimeField(db_index=True)
    updated_at = fields.DatetimeField()

    @property
    def display_number(self) -> str:
        """What families and staff read and search for: A-00042."""
        return f"{NUMBER_PREFIX}{self.number:05d}"

    class Meta:
        table = "application"
        unique_together = (("agency", "number"),)


class ApplicationSite(Model):
    """A site an application asks for."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="sites", on_delete=fields.CASCADE
    )
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="applications", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "application_site"
        unique_together = (("application", "site"),)


class ApplicationInvitation(Model):
    """A code sent to an applying family that links its application to a family account,
    valid 14 days and usable once. Only a keyed HMAC of the code is kept. A re-invite
    supersedes the open one and unlinking revokes them all."""

    id = fields.UUIDField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="invitations", on_delete=fields.CASCADE
    )
    invited_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser",
        related_name="sent_application_invitations",
        null=True,
        on_delete=fields.SET_NULL,
    )
    channel = fields.CharEnumField(ContactMethod, max_length=5)
    code_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    superseded_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    application_id: str

    class Meta:
        table = "application_invitation"


class ApplicationLink(Model):
    """The family account an application is linked to, at most one. Unlinking deletes the
    row (the audit log keeps the history)."""

    id = fields.IntField(primary_key=True)
    application: fields.OneToOneRelation[Application] = fields.OneToOneField(
        "models.Application", related_name="account_link", on_delete=fields.CASCADE
    )
    account: fields.ForeignKeyRelation[FamilyAccount] = fields.ForeignKeyField(
        "models.FamilyAccount", related_name="application_links", on_delete=fields.CASCADE
    )
    linked_at = fields.DatetimeField()

    application_id: str
    account_id: str

    class Meta:
        table = "application_link"


class ApplicationOffer(Model):
    """A place offered to an application: the site and first day. The latest one counts.
    Once enrolled it names the family made from the application."""

    id = fields.UUIDField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="offers", on_delete=fields.CASCADE
    )
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="application_offers", on_delete=fields.RESTRICT
    )
    starts_on = fields.DateField()
    offered_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="application_offers", null=True, on_delete=fields.SET_NULL
    )
    offered_at = fields.DatetimeField()
    answered_at = fields.DatetimeField(null=True)
    # The family's answer: true accepted, false declined, null not answered.
    accepted = fields.BooleanField(null=True)
    family: fields.ForeignKeyNullableRelation[Family] = fields.ForeignKeyField(
        "models.Family", related_name="application_offers", null=True, on_delete=fields.SET_NULL
    )

    application_id: str
    site_id: str
    family_id: str | None

    class Meta:
        table = "application_offer"
