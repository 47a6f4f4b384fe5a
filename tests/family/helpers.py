"""Shared pieces of the family-account tests: documents, a family, codes from the outbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from auth import passwords, sealed, sessions
from models.family_accounts import FamilyAccount, GuardianLink, LoginKind
from models.notifications import Notification
from models.people import ContactMethod, Family, FamilyAdult, GuardianSlot, Language
from tests import clock
from tests import factories as make
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient, Result
from tests.world import World

PASSWORD = "a long family passphrase"

GUARDIANS = """
query($site: ID!, $room: ID, $state: OnlineAccountState) {
  guardians(siteId: $site, classroomId: $room, state: $state) {
    id firstName role children { firstName }
    onlineAccount { state login invitedAt expiresAt }
  }
}
"""
INVITE = """
mutation($i: InviteGuardiansInput!) {
  inviteGuardians(input: $i) {
    results { guardianId outcome guardian { id onlineAccount { state login } } }
    errors { code }
  }
}
"""
UNLINK = """
mutation($i: UnlinkGuardianInput!) {
  unlinkGuardian(input: $i) { guardian { id onlineAccount { state login } } errors { code } }
}
"""
REGISTER = """
mutation($i: RegisterFamilyAccountInput!) {
  registerFamilyAccount(input: $i) { token errors { code message field } }
}
"""
LOGIN = """
mutation($i: FamilyLoginInput!) { familyLogin(input: $i) { token errors { code message } } }
"""
REQUEST_RESET = """
mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) { ok } }
"""
RESET = """
mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { token errors { code message } } }
"""
CONNECT = """
mutation($i: AddConnectionInput!) {
  addConnection(input: $i) { agencyName errors { code message } }
}
"""
CHILDREN = """
{ viewer { ... on ParentViewer { login children { id firstName lastName
  today { date status signedInAt signedOutAt } } } } }
"""
REPORT_ABSENCE = """
mutation($i: ReportAbsenceInput!) {
  reportAbsence(input: $i) { day { date status absenceReason } errors { code field } }
}
"""


@dataclass
class Household:
    """The family of ``world.kids[0]`` (Ava): guardian A by email in English, guardian B
    by SMS in Spanish, and a contact who may pick up but never hold an account."""

    family: Family
    guardian_a: FamilyAdult
    guardian_b: FamilyAdult
    contact: FamilyAdult
    pin_a: str


async def household(world: World) -> Household:
    family = await Family.get(id=world.kids[0].family_id)
    guardian_a, pin_a = await make.adult_with_pin(
        family, slot=GuardianSlot.A, email="Maria.Lopez@Example.test"
    )
    guardian_b, _ = await make.adult_with_pin(
        family,
        slot=GuardianSlot.B,
        phone="+15125550134",
        preferred_contact=ContactMethod.SMS,
        language=Language.ES,
    )
    contact, _ = await make.adult_with_pin(family, email="grandma@example.test")
    return Household(family, guardian_a, guardian_b, contact, pin_a)


async def account_for(
    *guardians: FamilyAdult, login: str | None = None, password: str | None = None
) -> FamilyAccount:
    """An account already linked to ``guardians`` (as if each had used an invitation)."""
    account = await FamilyAccount.create(
        login=login or f"parent-{len(guardians)}-{guardians[0].id}@example.test",
        login_kind=LoginKind.PHONE if login and login.startswith("+") else LoginKind.EMAIL,
        password_hash=passwords.hash_password(password or PASSWORD),
    )
    for guardian in guardians:
        await GuardianLink.create(account=account, adult=guardian)
    return account


async def parent_token(account: FamilyAccount) -> str:
    return await sessions.issue_parent_session(
        account, timedelta(hours=12), "127.0.0.1", clock.current().now()
    )


async def invite(gql: GraphQLClient, token: str, *guardian_ids: object) -> list[dict[str, Any]]:
    result = await gql.execute(
        INVITE, {"i": {"guardianIds": [str(g) for g in guardian_ids]}}, token=token
    )
    assert result.errors == [], result.errors
    assert result.data is not None
    results: list[dict[str, Any]] = result.data["inviteGuardians"]["results"]
    return results


async def sent_code(guardian: FamilyAdult) -> str:
    """The clear code of the guardian's latest invitation, read back from the outbox."""
    message = (
        await Notification.filter(template="invitation", destination__in=_destinations(guardian))
        .order_by("-created_at")
        .first()
    )
    assert message is not None
    assert message.secret_params is not None
    return _unsealed_code(message)


async def reset_code(login: str) -> str:
    message = (
        await Notification.filter(template="password_reset", destination=login)
        .order_by("-created_at")
        .first()
    )
    assert message is not None
    return _unsealed_code(message)


def _destinations(guardian: FamilyAdult) -> list[str]:
    return [d for d in (guardian.email, guardian.phone) if d]


def _unsealed_code(message: Notification) -> str:
    assert message.secret_params is not None
    opened = sealed.unseal(TEST_KEYRING, message.secret_params)
    assert opened is not None
    code: str = json.loads(opened)["code"]
    return code


async def register(
    gql: GraphQLClient, code: str, login: str, password: str = PASSWORD, ip: str = "10.0.0.1"
) -> dict[str, Any]:
    result = await gql.execute(
        REGISTER, {"i": {"code": code, "login": login, "password": password}}, ip=ip
    )
    assert result.errors == [], result.errors
    assert result.data is not None
    payload: dict[str, Any] = result.data["registerFamilyAccount"]
    return payload


async def family_login(
    gql: GraphQLClient, login: str, password: str, ip: str = "10.0.0.1"
) -> dict[str, Any]:
    result = await gql.execute(LOGIN, {"i": {"login": login, "password": password}}, ip=ip)
    assert result.errors == [], result.errors
    assert result.data is not None
    payload: dict[str, Any] = result.data["familyLogin"]
    return payload


def data(result: Result) -> dict[str, Any]:
    assert result.errors == [], result.errors
    assert result.data is not None
    return result.data
