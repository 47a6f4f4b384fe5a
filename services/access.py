"""Signing staff in and out, with throttling of login attempts per account and per IP."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.transactions import in_transaction

from auth import passwords, sessions
from auth.principals import Principal, StaffPrincipal
from models.org import StaffUser
from realtime import channels
from realtime.bus import EventBus
from realtime.events import AccessChanged
from services import audit, throttle
from services.errors import DomainError


class AccessErrorCode(StrEnum):
    """Rule failures of staff sign-in."""

    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"


logger = logging.getLogger(__name__)

MAX_EMAIL_LENGTH = 254

# One message for every failure, so a response never tells whether an account exists.
_BAD_CREDENTIALS = DomainError(
    AccessErrorCode.INVALID_CREDENTIALS, "The email or password is not right."
)
THROTTLED = DomainError(
    AccessErrorCode.TOO_MANY_ATTEMPTS, "Too many failed sign-ins. Wait a few minutes and try again."
)


# (key, attempts allowed per window, window)
Limit = tuple[str, int, timedelta]


@dataclass(frozen=True)
class ThrottlePolicy:
    account_max_failures: int
    account_window: timedelta
    ip_max_failures: int
    ip_window: timedelta


def normalize_email(email: str) -> str:
    return email.strip().lower()


def limits_for(policy: ThrottlePolicy, account_key: str, address_key: str) -> list[Limit]:
    """The per-address and per-account limits of one login attempt, address first."""
    return [
        (address_key, policy.ip_max_failures, policy.ip_window),
        (account_key, policy.account_max_failures, policy.account_window),
    ]


def ip_key(principal: Principal) -> str:
    return f"ip:{principal.ip_address}"


async def take_attempt(
    principal: Principal, limits: Sequence[Limit], now: datetime, *, data: dict[str, object]
) -> None:
    """Shared by every login and code check: count this attempt under every limit before
    any secret is checked, or refuse it with THROTTLED.

    The address comes first, so an attempt refused by the account limit still counts
    against its address: hammering a closed door keeps it closed.
    """
    for key, limit, window in limits:
        if not await throttle.take(key, limit, window, now):
            logger.warning("attempt refused by the %s throttle", key.split(":", 1)[0])
            await record_failure(principal, data={**data, "reason": "throttled"})
            raise THROTTLED


async def give_back(limits: Sequence[Limit], now: datetime) -> None:
    """A right secret: its attempt does not count against any limit."""
    for key, _, _ in limits:
        await throttle.give_back(key, now)


async def record_failure(principal: Principal, *, data: dict[str, object]) -> None:
    """Audit a failed attempt (never with the secret tried); it was counted when taken."""
    await audit.record(principal, "authn.login_fail", agency_id=None, data=data)


async def staff_login(
    principal: Principal,
    email: str,
    password: str,
    *,
    policy: ThrottlePolicy,
    session_lifetime: timedelta,
    now: datetime,
) -> str:
    """A new session token for valid credentials; the same error for every failure."""
    email = normalize_email(email)[:MAX_EMAIL_LENGTH]
    account_key = f"account:{email}"
    limits = limits_for(policy, account_key, ip_key(principal))
    await take_attempt(principal, limits, now, data={"email": email})

    staff = await StaffUser.get_or_none(email=email, is_active=True)
    # Verify even without an account: the same cost either way.
    if not passwords.verify_password(staff.password_hash if staff else None, password):
        await record_failure(principal, data={"email": email, "reason": "bad_credentials"})
        raise _BAD_CREDENTIALS
    assert staff is not None

    async with in_transaction():
        if passwords.needs_rehash(staff.password_hash):
            staff.password_hash = passwords.hash_password(password)
            await staff.save(update_fields=["password_hash"])
        token = await sessions.issue_staff_session(
            staff, session_lifetime, principal.ip_address, now
        )
        await audit.record(
            principal,
            "authn.login_success",
            agency_id=staff.agency_id,
            target_type="staff",
            target_id=staff.id,
        )
    # The account's earlier failures are forgiven, as before a throttle existed.
    await give_back(limits, now)
    await throttle.forget(account_key)
    return token


async def logout(principal: StaffPrincipal, bus: EventBus, now: datetime) -> None:
    """Revoke this session; sockets opened with it close (they listen for the event)."""
    async with in_transaction():
        await sessions.revoke(principal.session_id, now)
        await audit.record(
            principal,
            "authn.logout",
            agency_id=principal.agency_id,
            target_type="staff",
            target_id=principal.user_id,
        )
    await bus.publish(
        [
            (
                channels.access(principal.user_id),
                AccessChanged(str(principal.user_id), str(principal.session_id)),
            )
        ]
    )
