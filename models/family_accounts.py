"""Family accounts: a parent's own login, its links to guardians, invitations and resets.

Only Parent/Guardian A and B may hold an account. One account may reach guardians at
several agencies (a family enrolled with two providers signs in once). Invitation and
reset codes are never stored in clear: only a keyed HMAC of each code is kept.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.org import Agency, StaffUser
from models.people import FamilyAdult


class LoginKind(StrEnum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"


class FamilyAccount(Model):
    """A parent's login: a normalized email address or an E.164 phone number."""

    id = fields.UUIDField(primary_key=True)
    login = fields.CharField(max_length=254, unique=True)
    login_kind = fields.CharEnumField(LoginKind, max_length=8)
    password_hash = fields.CharField(max_length=200)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "family_account"


class GuardianLink(Model):
    """A guardian reached by a family account. One account per guardian, at most.

    Unlinking deletes the row (the audit log keeps the history), so the unique guardian
    column always describes the current state.
    """

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[FamilyAccount] = fields.ForeignKeyField(
        "models.FamilyAccount", related_name="links", on_delete=fields.CASCADE
    )
    adult: fields.OneToOneRelation[FamilyAdult] = fields.OneToOneField(
        "models.FamilyAdult", related_name="account_link", on_delete=fields.CASCADE
    )
    linked_at = fields.DatetimeField(auto_now_add=True)

    account_id: str
    adult_id: str

    class Meta:
        table = "guardian_link"


class Invitation(Model):
    """An invitation code sent to a guardian, valid 14 days and usable once.

    A re-invite supersedes the guardian's open invitation, and unlinking revokes them
    all, so the guardian shows as never invited again.
    """

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="invitations", on_delete=fields.RESTRICT
    )
    adult: fields.ForeignKeyRelation[FamilyAdult] = fields.ForeignKeyField(
        "models.FamilyAdult", related_name="invitations", on_delete=fields.CASCADE
    )
    invited_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="sent_invitations", null=True, on_delete=fields.SET_NULL
    )
    code_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    used_by: fields.ForeignKeyNullableRelation[FamilyAccount] = fields.ForeignKeyField(
        "models.FamilyAccount",
        related_name="used_invitations",
        null=True,
        on_delete=fields.SET_NULL,
    )
    superseded_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    agency_id: str
    adult_id: str
    invited_by_id: str | None
    used_by_id: str | None

    class Meta:
        table = "invitation"


class PasswordReset(Model):
    """A short-lived code that lets an account holder choose a new password.

    Single use, a few tries, and a new request retires the codes issued before it.
    """

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[FamilyAccount] = fields.ForeignKeyField(
        "models.FamilyAccount", related_name="password_resets", on_delete=fields.CASCADE
    )
    code_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    attempts = fields.SmallIntField(default=0)

    account_id: str

    class Meta:
        table = "password_reset"
