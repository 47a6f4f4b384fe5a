"""Family accounts: registering with an invitation code (a guardian's or an application's),
signing in, adding a connection, resetting a password. What a signed-in parent reads and
reports: services/parent_views.py.

No answer tells whether an account, a login or a code exists: every failure of a kind
gets one message, unknown logins cost the same argon2 work as known ones, and failed
attempts are throttled per login (or account) and per address like staff sign-ins.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from auth import passwords, sessions
from auth.keys import Keyring, Purpose
from auth.principals import ParentPrincipal, Principal
from models.family_accounts import FamilyAccount, GuardianLink, LoginKind, PasswordReset
from models.org import Agency
from models.people import ContactMethod, Language
from realtime import channels
from realtime.bus import EventBus
from realtime.events import AccessChanged
from services import access, application_links, audit, contact_points, notifications, throttle
from services.errors import DomainError, InvalidInput, NotFound


class FamilyErrorCode(StrEnum):
    """Rule failures of family accounts: registration, login, reset, connections."""

    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_CODE = "INVALID_CODE"


MAX_LOGIN_LENGTH = 254
RESET_CODE_LIFETIME = timedelta(minutes=10)
RESET_MAX_TRIES = 5
RESET_MAX_SENDS = 3
RESET_SEND_WINDOW = timedelta(minutes=15)

_BAD_LOGIN = DomainError(FamilyErrorCode.INVALID_CREDENTIALS, "The login or password is not right.")
_BAD_REGISTRATION = DomainError(
    FamilyErrorCode.INVALID_CREDENTIALS,
    "The invitation code is not valid, or the password does not match this login's account.",
    "code",
)
_BAD_CODE = DomainError(FamilyErrorCode.INVALID_CODE, "This invitation code is not valid.", "code")
_BAD_RESET = DomainError(
    FamilyErrorCode.INVALID_CREDENTIALS,
    "The code is not right or has expired. Ask for a new one.",
    "code",
)


@dataclass(frozen=True)
class AccountPolicy:
    """What the resolvers pass down from Settings for sign-ins and codes."""

    secret: Keyring
    throttle: access.ThrottlePolicy
    session_lifetime: timedelta


# --- logins and passwords ----------------------------------------------------------------


def normalize_login(login: str, default_region: str = "US") -> tuple[str, LoginKind]:
    """An email address (lower-cased) or a valid phone number in E.164 form.

    A number without its ``+`` country code is read in ``default_region``. Only ASCII
    digits are taken, so one number has one spelling.
    """
    cleaned = login.strip()
    if len(cleaned) > MAX_LOGIN_LENGTH:
        raise InvalidInput(f"At most {MAX_LOGIN_LENGTH} characters.", "login")
    if "@" in cleaned:
        email = contact_points.normalize_email(cleaned)
        if email is not None:
            return email, LoginKind.EMAIL
    else:
        phone = contact_points.normalize_phone(cleaned, default_region)
        if phone is not None:
            return phone, LoginKind.PHONE
    raise InvalidInput("Give an email address or a mobile phone number.", "login")


def _check_password(password: str, field: str) -> None:
    if not passwords.MIN_PASSWORD_LENGTH <= len(password) <= passwords.MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"A password has {passwords.MIN_PASSWORD_LENGTH} to "
            f"{passwords.MAX_PASSWORD_LENGTH} characters.",
            field,
        )


def _login_key(login: str) -> str:
    return f"family:{login}"


async def register(
    principal: Principal,
    code: str,
    login: str,
    password: str,
    *,
    policy: AccountPolicy,
    now: datetime,
) -> str:
    """Create an account with an invitation code (or add the code's guardian to the
    account this login already has, when the password matches); returns a token."""
    login, kind = normalize_login(login)
    _check_password(password, "password")
    limits = access.limits_for(policy.throttle, _login_key(login), access.ip_key(principal))
    await access.take_attempt(principal, limits, now, data={"login": login})

    existing = await FamilyAccount.get_or_none(login=login)
    # One argon2 computation either way, so timing does not tell whether the login exists.
    if existing is None:
        password_hash = passwords.hash_password(password)
        password_ok = True
    else:
        password_hash = existing.password_hash
        password_ok = existing.is_active and passwords.verify_password(password_hash, password)
    try:
        async with in_transaction():
            if not password_ok:
                raise _BAD_REGISTRATION
            account = existing or await FamilyAccount.create(
                login=login, login_kind=kind, password_hash=password_hash
            )
            claimed = await application_links.claim_any(policy.secret, code, account, now)
            token = await sessions.issue_parent_session(
                account, policy.session_lifetime, principal.ip_address, now
            )
            await audit.record(
                principal,
                "family.register" if existing is None else "family.connect",
                agency_id=claimed.agency.id,
                target_type=claimed.target_type,
                target_id=claimed.target_id,
                on_behalf_of=("PARENT", account.id),
                data={"account_id": str(account.id)},
            )
    except (NotFound, IntegrityError, DomainError):
        # Counted against the login too, so registration is no way around the sign-in
        # throttle; counted for unknown logins alike, so the throttle tells nothing.
        await access.record_failure(principal, data={"login": login, "reason": "bad_registration"})
        raise _BAD_REGISTRATION from None
    await access.give_back(limits, now)
    return token


async def login(
    principal: Principal, login: str, password: str, *, policy: AccountPolicy, now: datetime
) -> str:
    """A new parent session for valid credentials; the same error for every failure."""
    try:
        login, _ = normalize_login(login)
    except InvalidInput:
        # Not a login anyone could hold: answered like an unknown one.
        login = login.strip().lower()[:MAX_LOGIN_LENGTH]
    key = _login_key(login)
    limits = access.limits_for(policy.throttle, key, access.ip_key(principal))
    await access.take_attempt(principal, limits, now, data={"login": login})

    account = await FamilyAccount.get_or_none(login=login, is_active=True)
    if not passwords.verify_password(account.password_hash if account else None, password):
        await access.record_failure(principal, data={"login": login, "reason": "bad_credentials"})
        raise _BAD_LOGIN
    assert account is not None
    async with in_transaction():
        if passwords.needs_rehash(account.password_hash):
            account.password_hash = passwords.hash_password(password)
            await account.save(update_fields=["password_hash"])
        token = await sessions.issue_parent_session(
            account, policy.session_lifetime, principal.ip_address, now
        )
        await audit.record(
            principal,
            "authn.family_login_success",
            agency_id=None,
            target_type="family_account",
            target_id=account.id,
            on_behalf_of=("PARENT", account.id),
        )
    await access.give_back(limits, now)
    await throttle.forget(key)
    return token


async def logout(principal: ParentPrincipal, bus: EventBus, now: datetime) -> None:
    async with in_transaction():
        await sessions.revoke(principal.session_id, now)
        await audit.record(
            principal,
            "authn.logout",
            agency_id=None,
            target_type="family_account",
            target_id=principal.account_id,
            on_behalf_of=("PARENT", principal.account_id),
        )
    event = AccessChanged(str(principal.account_id), str(principal.session_id))
    await bus.publish([(channels.access(principal.account_id), event)])


async def add_connection(
    principal: ParentPrincipal, code: str, *, policy: AccountPolicy, now: datetime
) -> Agency:
    """Link another guardian (usually at another agency) to the signed-in account."""
    key = f"connect:{principal.account_id}"
    limits = access.limits_for(policy.throttle, key, access.ip_key(principal))
    await access.take_attempt(principal, limits, now, data={"login": principal.login})
    try:
        async with in_transaction():
            account = await FamilyAccount.get(id=principal.account_id)
            claimed = await application_links.claim_any(policy.secret, code, account, now)
            await audit.record(
                principal,
                "family.connect",
                agency_id=claimed.agency.id,
                target_type=claimed.target_type,
                target_id=claimed.target_id,
                on_behalf_of=("PARENT", account.id),
                data={"account_id": str(account.id)},
            )
    except (NotFound, IntegrityError):
        await access.record_failure(
            principal, data={"login": principal.login, "reason": "bad_code"}
        )
        raise _BAD_CODE from None
    await access.give_back(limits, now)
    return claimed.agency


# --- password reset ------------------------------------------------------------------------


def _reset_message(account_id: UUID | str, code: str) -> bytes:
    return f"password-reset:{account_id}:{code}".encode()


async def _language_of(account: FamilyAccount) -> Language:
    link = await GuardianLink.filter(account_id=account.id).select_related("adult").first()
    return Language(link.adult.language) if link else Language.EN


async def request_password_reset(
    principal: Principal,
    login: str,
    *,
    secret: Keyring,
    now: datetime,
    hourly_cap: int = notifications.DEFAULT_DESTINATION_HOURLY_CAP,
) -> None:
    """Send a reset code to the account's login. Says nothing either way: the caller
    answers the same whether or not the login has an account."""
    login, kind = normalize_login(login)
    account = await FamilyAccount.get_or_none(login=login, is_active=True)
    if account is None:
        return
    recent = await PasswordReset.filter(
        account_id=account.id, created_at__gt=now - RESET_SEND_WINDOW
    ).count()
    if recent >= RESET_MAX_SENDS:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    channel = ContactMethod.EMAIL if kind is LoginKind.EMAIL else ContactMethod.SMS
    recipient = notifications.Recipient(channel, login, await _language_of(account))
    try:
        async with in_transaction():
            # Only the newest code works: an older message is no longer a way in.
            await PasswordReset.filter(
                account_id=account.id, used_at__isnull=True, revoked_at__isnull=True
            ).update(revoked_at=now)
            reset = await PasswordReset.create(
                account=account,
                code_hash=secret.digest(Purpose.CODE_HASH, _reset_message(account.id, code)),
                created_at=now,
                expires_at=now + RESET_CODE_LIFETIME,
            )
            await notifications.enqueue(
                secret,
                agency_id=None,
                recipient=recipient,
                template="password_reset",
                dedupe_key=f"password_reset:{reset.id}",
                secret_params={"code": code},
                now=now,
                hourly_cap=hourly_cap,
            )
            await audit.record(
                principal,
                "family.password_reset_requested",
                agency_id=None,
                target_type="family_account",
                target_id=account.id,
            )
    except notifications.TooManyMessages:
        return


async def reset_password(
    principal: Principal,
    login: str,
    code: str,
    new_password: str,
    *,
    policy: AccountPolicy,
    bus: EventBus,
    now: datetime,
) -> str:
    """Choose a new password with a reset code; every other session of the account ends.

    Returns a fresh token. A wrong code uses up one of the code's tries.
    """
    _check_password(new_password, "newPassword")
    login, _ = normalize_login(login)
    limits: list[access.Limit] = [
        (access.ip_key(principal), policy.throttle.ip_max_failures, policy.throttle.ip_window)
    ]
    await access.take_attempt(principal, limits, now, data={"login": login})
    new_hash = passwords.hash_password(new_password)
    token: str | None = None
    account = await FamilyAccount.get_or_none(login=login, is_active=True)
    async with in_transaction():
        reset = None
        if account is not None:
            reset = (
                await PasswordReset.filter(
                    account_id=account.id,
                    used_at__isnull=True,
                    revoked_at__isnull=True,
                    expires_at__gt=now,
                    attempts__lt=RESET_MAX_TRIES,
                )
                .select_for_update()
                .order_by("-created_at")
                .first()
            )
        if account is not None and reset is not None:
            message = _reset_message(account.id, code.strip())
            if policy.secret.matches(Purpose.CODE_HASH, message, reset.code_hash):
                token = await _apply_reset(principal, account, reset, new_hash, policy, now)
            else:
                await PasswordReset.filter(id=reset.id).update(attempts=F("attempts") + 1)
    if token is None or account is None:
        await access.record_failure(principal, data={"login": login, "reason": "bad_reset_code"})
        raise _BAD_RESET
    await access.give_back(limits, now)
    await bus.publish([(channels.access(account.id), AccessChanged(str(account.id), None))])
    return token


async def _apply_reset(
    principal: Principal,
    account: FamilyAccount,
    reset: PasswordReset,
    new_hash: str,
    policy: AccountPolicy,
    now: datetime,
) -> str | None:
    used = await PasswordReset.filter(id=reset.id, used_at__isnull=True).update(used_at=now)
    if used != 1:
        return None
    account.password_hash = new_hash
    await account.save(update_fields=["password_hash"])
    await sessions.revoke_account_sessions(account.id, now)
    await throttle.forget(_login_key(account.login))
    await audit.record(
        principal,
        "family.password_reset",
        agency_id=None,
        target_type="family_account",
        target_id=account.id,
        on_behalf_of=("PARENT", account.id),
    )
    return await sessions.issue_parent_session(
        account, policy.session_lifetime, principal.ip_address, now
    )
