"""The agency, its sites and classrooms, and the staff who work there."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class ContactlessMode(StrEnum):
    STATIC = "STATIC"
    DYNAMIC = "DYNAMIC"


class Agency(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    # Attendance records are legal evidence; kept at least this long (reliability.md #9).
    retention_years = fields.SmallIntField(default=6)
    # Digits in newly generated PINs: 6 by default; 4 or 5 are allowed, with a warning,
    # because shorter PINs are far easier to guess at a shared pad.
    pin_length = fields.SmallIntField(default=6, db_default=6)
    # Parents must prove who they are with a code sent by email or SMS before they can
    # open an attendance submission link.
    submission_requires_verification = fields.BooleanField(default=False, db_default=False)
    # IANA name: the time zone new sites start with (each site keeps its own).
    timezone = fields.CharField(max_length=64, default="UTC", db_default="UTC")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "agency"


class Site(Model):
    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="sites", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    timezone = fields.CharField(max_length=64)
    # Staff entries on a shared tablet must be confirmed with the staff member's own PIN.
    staff_requires_pin = fields.BooleanField(default=False)
    # When off, attendance of past local days cannot be entered or changed.
    allow_past_day_edits = fields.BooleanField(default=False)
    # Contactless sign-in: parents scan the QR code the kiosk shows. STATIC codes never
    # expire (bumping the version retires them); DYNAMIC codes change at local midnight.
    contactless_enabled = fields.BooleanField(default=True, db_default=True)
    contactless_mode = fields.CharEnumField(
        ContactlessMode,
        max_length=8,
        default=ContactlessMode.DYNAMIC,
        db_default=ContactlessMode.DYNAMIC.value,
    )
    contactless_version = fields.IntField(default=1, db_default=1)
    # PIN pad lockout: this many failures within the window lock one pad for a while;
    # the daily limit, counted across the site's pads, locks them all until a staff PIN.
    pad_lock_failures = fields.SmallIntField(default=5, db_default=5)
    pad_lock_window_minutes = fields.SmallIntField(default=5, db_default=5)
    pad_lock_minutes = fields.SmallIntField(default=5, db_default=5)
    site_daily_pin_failures = fields.SmallIntField(default=15, db_default=15)
    # End of the attendance day, minutes after local midnight (23:59 by default): children
    # still signed in then are signed out by the system (services/day_close.py).
    end_of_day_minutes = fields.SmallIntField(default=1439, db_default=1439)
    # Set when the daily limit is reached; cleared by a staff PIN at one of its pads,
    # which also restarts the day's count.
    pads_locked_at = fields.DatetimeField(null=True)
    pad_failures_counted_from = fields.DatetimeField(null=True)
    address = fields.CharField(max_length=300, default="", db_default="")
    # Retired sites stay for their history (attendance, signatures, audit) but drop out of
    # every list, count and tablet; they are never deleted.
    archived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    agency_id: str

    class Meta:
        table = "site"


class Classroom(Model):
    id = fields.UUIDField(primary_key=True)
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="classrooms", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    # Set when retired: gone from lists and rosters from then on, its history kept.
    archived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    site_id: str

    class Meta:
        table = "classroom"


class Program(Model):
    """An agency-defined label on enrollments, such as Pre-K or a subsidy program."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="programs", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    # Retired programs are offered for no new enrollment; the ones that carry it keep it.
    archived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    agency_id: str

    class Meta:
        table = "program"


class ModuleAccess(StrEnum):
    NONE = "NONE"
    VIEW = "VIEW"
    EDIT = "EDIT"


class Role(Model):
    """Per-module access granted to the staff who hold this role."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="roles", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    students = fields.CharEnumField(ModuleAccess, max_length=8, default=ModuleAccess.NONE)
    attendance = fields.CharEnumField(ModuleAccess, max_length=8, default=ModuleAccess.NONE)
    messaging = fields.BooleanField(default=False)
    site_admin = fields.BooleanField(default=False)

    agency_id: str

    class Meta:
        table = "role"
        unique_together = (("agency", "name"),)


class StaffUser(Model):
    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="staff", on_delete=fields.RESTRICT
    )
    role: fields.ForeignKeyNullableRelation[Role] = fields.ForeignKeyField(
        "models.Role", related_name="staff", null=True, on_delete=fields.SET_NULL
    )
    # Stored lower-cased; unique across agencies because login is by email alone.
    email = fields.CharField(max_length=254, unique=True)
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    password_hash = fields.CharField(max_length=200)
    is_agency_admin = fields.BooleanField(default=False)
    is_active = fields.BooleanField(default=True)
    # Retired: staff PINs live in pin_credential since migration 0003, which empties these
    # columns. They are not dropped because SQLite can only drop them by rebuilding
    # staff_user, and Tortoise's rebuild runs with foreign keys on, so dropping the old
    # table would cascade-delete every session, site access and PIN that points at it.
    pin_lookup = fields.CharField(max_length=64, null=True)
    pin_encrypted = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    agency_id: str
    role_id: str | None

    class Meta:
        table = "staff_user"
        unique_together = (("agency", "pin_lookup"),)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class StaffSiteAccess(Model):
    """The sites a staff member works at. Staff see nothing of other sites."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="site_access", on_delete=fields.CASCADE
    )
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="staff_access", on_delete=fields.CASCADE
    )

    staff_id: str
    site_id: str

    class Meta:
        table = "staff_site_access"
        unique_together = (("staff", "site"),)
