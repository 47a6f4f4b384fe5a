"""Staff passwords: set-password links (invitations and resets), and choosing a password.

A link carries a random 256-bit token; only a keyed HMAC of it is stored. It works once,
expires (an invitation after 7 days, a reset after an hour), and a newer link of the same
staff member supersedes the older ones. Asking for a reset answers the same whether or
not the email has an account, and is throttled per address and per email like sign-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.transactions import in_transaction

from auth import passwords, sessions, tokens
from auth.keys import Keyring, Purpose
from auth.principals import Principal
from models.access import PasswordTokenKind, StaffPasswordToken
from models.org import Agency, StaffUser
from models.people import ContactMethod, Language
from realtime import channels
from realtime.bus import EventBus
from realtime.events import AccessChanged
from services import access, audit, messages, notifications, throttle
from services.errors import DomainError


class StaffPasswordErrorCode(StrEnum):
    """Rule failures of choosing a staff password with a link."""

    INVALID_TOKEN = "INVALID_TOKEN"
    INVALID_PASSWORD = "INVALID_PASSWORD"


LIFETIMES = {
    PasswordTokenKind.INVITATION: timedelta(days=7),
    PasswordTokenKind.RESET: timedelta(hours=1),
}
TEMPLATES = {
    PasswordTokenKind.INVITATION: "staff_invitation",
    PasswordTokenKind.RESET: "staff_password_reset",
}
SET_PASSWORD_PATH = "/staff/set-password"
# Reset requests per email in a window: enough for a lost message, too few to flood.
RESET_MAX_REQUESTS = 3
RESET_REQUEST_WINDOW = timedelta(minutes=15)

_BAD_TOKEN = DomainError(
    StaffPasswordErrorCode.INVALID_TOKEN,
    "This link is not valid any more. Ask for a new one.",
    "token",
)


@dataclass(frozen=True)
class LinkPolicy:
    """What the callers pass down from Settings to send links."""

    secret: Keyring
    base_url: str
    hourly_cap: int = notifications.DEFAULT_DESTINATION_HOURLY_CAP


def _message(token: str) -> bytes:
    return f"staff-password:{token}".encode()


def check_password(password: str) -> None:
    if not passwords.MIN_PASSWORD_LENGTH <= len(password) <= passwords.MAX_PASSWORD_LENGTH:
        raise DomainError(
            StaffPasswordErrorCode.INVALID_PASSWORD,
            f"A password has {passwords.MIN_PASSWORD_LENGTH} to "
            f"{passwords.MAX_PASSWORD_LENGTH} characters.",
            "password",
        )


async def send_link(
    staff: StaffUser,
    agency: Agency,
    kind: PasswordTokenKind,
    *,
    policy: LinkPolicy,
    now: datetime,
) -> str:
    """Issue a set-password link, supersede the staff member's open ones and queue it by
    email; returns the link (for the first admin's terminal). Call inside a transaction:
    ``notifications.TooManyMessages`` undoes the link with it."""
    await StaffPasswordToken.filter(
        staff_id=staff.id, used_at__isnull=True, superseded_at__isnull=True
    ).update(superseded_at=now)
    token = tokens.new_token()
    row = await StaffPasswordToken.create(
        staff_id=staff.id,
        kind=kind,
        token_hash=policy.secret.digest(Purpose.CODE_HASH, _message(token)),
        created_at=now,
        expires_at=now + LIFETIMES[kind],
    )
    link = messages.link(policy.base_url, SET_PASSWORD_PATH, token=token)
    params = (
        {"staff_first_name": staff.first_name, "agency_name": agency.name}
        if kind is PasswordTokenKind.INVITATION
        else {}
    )
    await notifications.enqueue(
        policy.secret,
        agency_id=agency.id,
        # Staff have no language of their own yet: English.
        recipient=notifications.Recipient(ContactMethod.EMAIL, staff.email, Language.EN),
        template=TEMPLATES[kind],
        dedupe_key=f"staff_password:{row.id}",
        params=params,
        # The link carries the token: it is the credential, so it is sealed.
        secret_params={"link": link},
        now=now,
        hourly_cap=policy.hourly_cap,
    )
    return link


async def request_reset(
    principal: Principal,
    email: str,
    *,
    links: LinkPolicy,
    throttle_policy: access.ThrottlePolicy,
    now: datetime,
) -> None:
    """Email a reset link to an active staff account. Says nothing either way; every
    request counts against its address and its email, known or not."""
    email = access.normalize_email(email)[: access.MAX_EMAIL_LENGTH]
    limits: list[access.Limit] = [
        (access.ip_key(principal), throttle_policy.ip_max_failures, throttle_policy.ip_window),
        (f"staff-reset:{email}", RESET_MAX_REQUESTS, RESET_REQUEST_WINDOW),
    ]
    await access.take_attempt(principal, limits, now, data={"email": email})
    staff = await StaffUser.get_or_none(email=email, is_active=True)
    if staff is None:
        return
    try:
        async with in_transaction():
            agency = await Agency.get(id=staff.agency_id)
            await send_link(staff, agency, PasswordTokenKind.RESET, policy=links, now=now)
            await audit.record(
                principal,
                "staff.password_reset_requested",
                agency_id=staff.agency_id,
                target_type="staff",
                target_id=staff.id,
            )
    except notifications.TooManyMessages:
        return


async def set_password(
    principal: Principal,
    token: str,
    password: str,
    *,
    secret: Keyring,
    throttle_policy: access.ThrottlePolicy,
    session_lifetime: timedelta,
    bus: EventBus,
    now: datetime,
) -> str:
    """Choose a password with a link's token; returns a new session token. Every other
    session of the staff member ends (a reset is often a suspected breach)."""
    check_password(password)
    limits: list[access.Limit] = [
        (access.ip_key(principal), throttle_policy.ip_max_failures, throttle_policy.ip_window)
    ]
    await access.take_attempt(principal, limits, now, data={"reason": "set_password"})
    new_hash = passwords.hash_password(password)
    session: str | None = None
    staff: StaffUser | None = None
    if len(token) <= tokens.MAX_TOKEN_LENGTH:
        async with in_transaction():
            row = (
                await StaffPasswordToken.filter(
                    token_hash__in=secret.digests(Purpose.CODE_HASH, _message(token.strip())),
                    used_at__isnull=True,
                    superseded_at__isnull=True,
                    expires_at__gt=now,
                )
                .select_for_update()
                .first()
            )
            staff = await StaffUser.get_or_none(id=row.staff_id, is_active=True) if row else None
            # Conditional, so two uses of one link racing cannot both succeed.
            if row is not None and staff is not None:
                used = await StaffPasswordToken.filter(id=row.id, used_at__isnull=True).update(
                    used_at=now
                )
                if used == 1:
                    session = await _apply(principal, staff, row, new_hash, session_lifetime, now)
    if session is None or staff is None:
        await access.record_failure(principal, data={"reason": "bad_password_link"})
        raise _BAD_TOKEN
    await access.give_back(limits, now)
    # A locked-out staff member who reset their password may sign in at once.
    await throttle.forget(f"account:{staff.email}")
    await bus.publish([(channels.access(staff.id), AccessChanged(str(staff.id), None))])
    return session


async def _apply(
    principal: Principal,
    staff: StaffUser,
    row: StaffPasswordToken,
    new_hash: str,
    session_lifetime: timedelta,
    now: datetime,
) -> str:
    staff.password_hash = new_hash
    await staff.save(update_fields=["password_hash"])
    await sessions.revoke_staff_sessions(staff.id, now)
    await audit.record(
        principal,
        "staff.password_set",
        agency_id=staff.agency_id,
        target_type="staff",
        target_id=staff.id,
        on_behalf_of=("STAFF", staff.id),
        data={"link": row.kind.value},
    )
    return await sessions.issue_staff_session(staff, session_lifetime, principal.ip_address, now)
