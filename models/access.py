"""Sign-in sessions and the counters that throttle sign-ins and code checks."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.family_accounts import FamilyAccount
from models.kiosk import Kiosk
from models.org import StaffUser


class SessionKind(StrEnum):
    STAFF = "STAFF"
    KIOSK = "KIOSK"
    PARENT = "PARENT"


class AuthSession(Model):
    """An opaque bearer token. Only its SHA-256 is stored, so a database leak yields no token."""

    id = fields.UUIDField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    kind = fields.CharEnumField(SessionKind, max_length=8)
    staff: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="sessions", null=True, on_delete=fields.CASCADE
    )
    kiosk: fields.ForeignKeyNullableRelation[Kiosk] = fields.ForeignKeyField(
        "models.Kiosk", related_name="sessions", null=True, on_delete=fields.CASCADE
    )
    account: fields.ForeignKeyNullableRelation[FamilyAccount] = fields.ForeignKeyField(
        "models.FamilyAccount", related_name="sessions", null=True, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    ip_address = fields.CharField(max_length=64, default="")

    staff_id: str | None
    kiosk_id: str | None
    account_id: str | None

    class Meta:
        table = "auth_session"


class PasswordTokenKind(StrEnum):
    INVITATION = "INVITATION"
    RESET = "RESET"


class StaffPasswordToken(Model):
    """A set-password link sent to a staff member: an invitation or a reset.

    Only a keyed HMAC of the token is stored. Single use, expiring, and a newer token of
    the same staff member supersedes it.
    """

    id = fields.UUIDField(primary_key=True)
    staff: fields.ForeignKeyRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="password_tokens", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(PasswordTokenKind, max_length=12)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    superseded_at = fields.DatetimeField(null=True)

    staff_id: str

    class Meta:
        table = "staff_password_token"


class ThrottleCounter(Model):
    """Attempts made under one throttle key in its current window."""

    # Keys are ``account:<email>``, ``ip:<address>``, ``family:<login>``, ``connect:<id>``.
    # An attempt is taken with one conditional UPDATE before the secret is checked, so
    # concurrent attempts can never take more than the limit (services/throttle.py).

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=300, unique=True)
    attempts = fields.IntField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "throttle_counter"


class LoginFailure(Model):
    """One failed login, keyed by ``account:<email>`` and by ``ip:<address>``."""

    # Retired: no longer written or read, kept so its table is not dropped on SQLite.
    # Superseded by ThrottleCounter in migration 0006: counting these rows and then
    # checking the password let concurrent attempts all pass the count. Failed attempts
    # stay on record as ``authn.login_fail`` audit entries.

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=300, db_index=True)
    failed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "login_failure"
