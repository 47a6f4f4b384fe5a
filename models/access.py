"""Sign-in sessions and the failed-login record used for throttling."""

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


class LoginFailure(Model):
    """One failed login, keyed by ``account:<email>`` and by ``ip:<address>``."""

    # Family logins and codes add their own keys (``family:<login>``, ``code:...``) so
    # each is throttled apart from staff logins, while one address shares a single limit.

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=300, db_index=True)
    failed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "login_failure"
