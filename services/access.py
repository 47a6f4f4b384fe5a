"""Signing staff in and out, with throttling of failed logins per account and per IP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from auth import passwords, sessions
from auth.principals import Principal, StaffPrincipal
from models.access import LoginFailure
from models.org import StaffUser
from realtime import channels
from realtime.bus import EventBus
from realtime.events import AccessChanged
from services import audit
from services.errors import DomainError

MAX_EMAIL_LENGTH = 254

# One message for every failure, so a response never tells whether an account exists.
_BAD_CREDENTIALS = DomainError("INVALID_CREDENTIALS", "The email or password is not right.")
THROTTLED = DomainError(
    "TOO_MANY_ATTEMPTS", "Too many failed sign-ins. Wait a few minutes and try again."
)


# (key, failures allowed, window)
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
    """The per-account and per-address limits of one login attempt."""
    return [
        (account_key, policy.account_max_failures, policy.account_window),
        (address_key, policy.ip_max_failures, policy.ip_window),
    ]


def ip_key(principal: Principal) -> str:
    return f"ip:{principal.ip_address}"


async def throttled(limits: Sequence[Limit], now: datetime) -> bool:
    """Shared by every login and code check: too many recent failures under any key."""
    for key, limit, window in limits:
        if await LoginFailure.filter(key=key, failed_at__gt=now - window).count() >= limit:
            return True
    return False


async def record_failure(
    principal: Principal, keys: Sequence[str], *, data: dict[str, object], now: datetime
) -> None:
    """Count a failed attempt under each key, and audit it (never with the secret tried)."""
    async with in_transaction():
        for key in keys:
            # failed_at from the caller's clock: ``throttled`` compares it with ``now``.
            await LoginFailure.create(key=key, failed_at=now)
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
    address = ip_key(principal)
    if await throttled(limits_for(policy, account_key, address), now):
        # Refused before any password check, and counted, so hammering keeps it closed.
        await record_failure(
            principal, [address], data={"email": email, "reason": "throttled"}, now=now
        )
        raise THROTTLED

    staff = await StaffUser.get_or_none(email=email, is_active=True)
    # Verify even without an account: the same cost either way.
    if not passwords.verify_password(staff.password_hash if staff else None, password):
        await record_failure(
            principal,
            [account_key, address],
            data={"email": email, "reason": "bad_credentials"},
            now=now,
        )
        raise _BAD_CREDENTIALS
    assert staff is not None

    async with in_transaction():
        if passwords.needs_rehash(staff.password_hash):
            staff.password_hash = passwords.hash_password(password)
            await staff.save(update_fields=["password_hash"])
        await LoginFailure.filter(key=account_key).delete()
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
