"""Children, their enrollments, and the families and adults around them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.org import Agency, Classroom, Program, Site


class ContactMethod(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


class Language(StrEnum):
    EN = "en"
    ES = "es"


class GuardianSlot(StrEnum):
    A = "A"
    B = "B"


class Family(Model):
    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="families", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    agency_id: str

    class Meta:
        table = "family"


class FamilyAdult(Model):
    """Parent/Guardian A or B, or a contact. Any of them may be an authorized pickup."""

    id = fields.UUIDField(primary_key=True)
    family: fields.ForeignKeyRelation[Family] = fields.ForeignKeyField(
        "models.Family", related_name="adults", on_delete=fields.RESTRICT
    )
    # "A" or "B" for Parent/Guardian A and B (the only adults who may hold a family
    # account); null for contacts. Unique per family, so a family has at most one of each.
    guardian_slot = fields.CharEnumField(GuardianSlot, max_length=1, null=True)
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    relationship = fields.CharField(max_length=60, default="")
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=32, null=True)
    preferred_contact = fields.CharEnumField(
        ContactMethod, max_length=8, default=ContactMethod.EMAIL
    )
    language = fields.CharEnumField(Language, max_length=2, default=Language.EN)
    authorized_pickup = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Set when staff or a parent remove a contact. The row stays because attendance
    # events and audit entries name it; a removed adult has no PIN and reaches nothing.
    removed_at = fields.DatetimeField(null=True)

    family_id: str

    class Meta:
        table = "family_adult"
        unique_together = (("family", "guardian_slot"),)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_guardian(self) -> bool:
        return self.guardian_slot is not None


class SharedPickup(Model):
    """An adult of one family authorized to pick up the children of another family."""

    id = fields.IntField(primary_key=True)
    adult: fields.ForeignKeyRelation[FamilyAdult] = fields.ForeignKeyField(
        "models.FamilyAdult", related_name="shared_pickups", on_delete=fields.CASCADE
    )
    family: fields.ForeignKeyRelation[Family] = fields.ForeignKeyField(
        "models.Family", related_name="shared_pickup_adults", on_delete=fields.CASCADE
    )

    adult_id: str
    family_id: str

    class Meta:
        table = "shared_pickup"
        unique_together = (("adult", "family"),)


class Child(Model):
    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="children", on_delete=fields.RESTRICT
    )
    family: fields.ForeignKeyRelation[Family] = fields.ForeignKeyField(
        "models.Family", related_name="children", on_delete=fields.RESTRICT
    )
    first_name = fields.CharField(max_length=100)
    middle_name = fields.CharField(max_length=100, default="")
    last_name = fields.CharField(max_length=100)
    date_of_birth = fields.DateField()
    # The child's ID in the state subsidy system; staff-only.
    state_subsidy_id = fields.CharField(max_length=64, null=True)
    # Staff-only notes (allergies, arrangements); null until someone writes some.
    notes = fields.TextField(null=True)
    # The site the child was registered at: its staff reach the child before any
    # enrollment exists. Null for children registered before this column.
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="registered_children", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    agency_id: str
    family_id: str
    site_id: str | None

    class Meta:
        table = "child"


class Enrollment(Model):
    """A child in a classroom from ``starts_on`` to ``ends_on`` (open-ended when null)."""

    id = fields.UUIDField(primary_key=True)
    child: fields.ForeignKeyRelation[Child] = fields.ForeignKeyField(
        "models.Child", related_name="enrollments", on_delete=fields.RESTRICT
    )
    classroom: fields.ForeignKeyRelation[Classroom] = fields.ForeignKeyField(
        "models.Classroom", related_name="enrollments", on_delete=fields.RESTRICT
    )
    starts_on = fields.DateField()
    ends_on = fields.DateField(null=True)
    # ISO weekday digits the child is scheduled for, e.g. "12345" for Monday to Friday.
    weekdays = fields.CharField(max_length=7, default="12345")
    program: fields.ForeignKeyNullableRelation[Program] = fields.ForeignKeyField(
        "models.Program", related_name="enrollments", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    child_id: str
    classroom_id: str
    program_id: str | None

    class Meta:
        table = "enrollment"
