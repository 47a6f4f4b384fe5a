"""Waitlist applications: what a family asks for before it is enrolled, the questions an
agency asks on its form, and the priority flags that order its waitlist."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.org import Agency, Program, Site, StaffUser
from models.people import ContactMethod, Language

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
