"""Inviting Parent/Guardian A and B to a family account, and unlinking them.

The account states the staff list shows (INVITE, REINVITE, REGISTERED) are read in
``services.guardian_list``. An invitation code is random, sent once through the outbox,
kept only as a keyed HMAC, valid 14 days and usable once; inviting again supersedes it,
unlinking revokes it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from tortoise.transactions import in_transaction

from auth.keys import Keyring, Purpose
from auth.principals import StaffPrincipal
from models.family_accounts import FamilyAccount, GuardianLink, Invitation
from models.org import Agency
from models.people import ContactMethod, FamilyAdult
from realtime import channels
from realtime.bus import EventBus
from realtime.events import AccessChanged
from services import audit, guardian_list, messages, notifications, people
from services.errors import DomainError, InvalidInput, NotFound
from services.ids import parse_id


class InvitationErrorCode(StrEnum):
    """Rule failures of guardian invitations."""

    NOT_LINKED = "NOT_LINKED"


INVITATION_LIFETIME = timedelta(days=14)
MAX_GROUP_SIZE = 100

# Crockford's base32: no I, L, O or U, so a code read aloud or retyped survives.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 12  # 60 random bits: guessing is hopeless even without the throttle
_TYPO_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CODE_RE = re.compile(f"[{_ALPHABET}]{{{_CODE_LENGTH}}}", re.ASCII)


class InviteOutcome(StrEnum):
    INVITED = "INVITED"
    NOT_A_GUARDIAN = "NOT_A_GUARDIAN"
    NO_CONTACT = "NO_CONTACT"
    ALREADY_REGISTERED = "ALREADY_REGISTERED"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"
    NOT_FOUND = "NOT_FOUND"


# --- codes ------------------------------------------------------------------------------


def new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _CODE_LENGTH, 4))


def normalize_code(code: str) -> str | None:
    """The code as issued, however it was typed (case, dashes, spaces, O for 0)."""
    cleaned = "".join(c for c in code.upper() if c.isascii() and c.isalnum())
    cleaned = cleaned.translate(_TYPO_FIXES)
    return cleaned if _CODE_RE.fullmatch(cleaned) else None


def code_hash(secret: Keyring, normalized: str) -> str:
    return secret.digest(Purpose.CODE_HASH, f"invitation:{normalized}".encode())


def code_hashes(secret: Keyring, normalized: str) -> list[str]:
    """What a code issued before a key rotation may be stored under, current key first."""
    return secret.digests(Purpose.CODE_HASH, f"invitation:{normalized}".encode())


# --- inviting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteResult:
    guardian_id: str
    outcome: InviteOutcome
    row: guardian_list.GuardianRow | None = None


class _Refused(Exception):
    def __init__(self, outcome: InviteOutcome) -> None:
        self.outcome = outcome


async def invite(
    principal: StaffPrincipal,
    guardian_ids: list[str],
    *,
    secret: Keyring,
    base_url: str,
    now: datetime,
    hourly_cap: int = notifications.DEFAULT_DESTINATION_HOURLY_CAP,
    method: ContactMethod | None = None,
) -> list[InviteResult]:
    """Invite one guardian or a group, by ``method`` or else each one's preferred contact;
    each gets its own result and its own transaction, so one guardian without a phone does
    not stop the others."""
    if not guardian_ids:
        raise InvalidInput("Choose at least one guardian.", "guardianIds")
    if len(guardian_ids) > MAX_GROUP_SIZE:
        raise InvalidInput(f"At most {MAX_GROUP_SIZE} guardians at once.", "guardianIds")
    results = []
    for raw in dict.fromkeys(guardian_ids):
        try:
            adult_id = parse_id(raw, "Guardian")
            outcome = await _invite_one(
                principal, adult_id, secret, base_url, now, hourly_cap, method
            )
        except NotFound:
            outcome = InviteOutcome.NOT_FOUND
        except _Refused as refused:
            outcome = refused.outcome
        results.append(InviteResult(raw, outcome))
    return await _with_rows(principal, results)


async def _invitable(
    principal: StaffPrincipal, adult_id: UUID, method: ContactMethod | None
) -> tuple[FamilyAdult, notifications.Recipient]:
    """Only a guardian the caller can see, with a contact to send to, is invited."""
    adult = await guardian_list.readable_adults(principal).filter(id=adult_id).first()
    if adult is None:
        raise NotFound("Guardian")
    if adult.guardian_slot is None:
        raise _Refused(InviteOutcome.NOT_A_GUARDIAN)
    recipient = notifications.recipient_by(adult, method)
    if recipient is None:
        raise _Refused(InviteOutcome.NO_CONTACT)
    return adult, recipient


async def _replace_invitation(
    principal: StaffPrincipal, adult: FamilyAdult, secret: Keyring, now: datetime
) -> tuple[Invitation, str, int]:
    """One open code per guardian, superseding the open ones; a registered one is refused."""
    # Serialises two invites of one guardian, so only one code stays open.
    await FamilyAdult.filter(id=adult.id).select_for_update().first()
    if await GuardianLink.exists(adult_id=adult.id):
        raise _Refused(InviteOutcome.ALREADY_REGISTERED)
    superseded = await Invitation.filter(
        adult_id=adult.id,
        used_at__isnull=True,
        superseded_at__isnull=True,
        revoked_at__isnull=True,
    ).update(superseded_at=now)
    code = new_code()
    invitation = await Invitation.create(
        agency_id=principal.agency_id,
        adult_id=adult.id,
        invited_by_id=principal.user_id,
        code_hash=code_hash(secret, code.replace("-", "")),
        # One clock for both, so the lifetime is exactly 14 days.
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    return invitation, code, superseded


async def _invite_one(
    principal: StaffPrincipal,
    adult_id: UUID,
    secret: Keyring,
    base_url: str,
    now: datetime,
    hourly_cap: int,
    method: ContactMethod | None,
) -> InviteOutcome:
    """Send one guardian a fresh code; a refusal names its outcome."""
    adult, recipient = await _invitable(principal, adult_id, method)
    agency = await Agency.get(id=principal.agency_id)
    try:
        async with in_transaction():
            invitation, code, superseded = await _replace_invitation(principal, adult, secret, now)
            await notifications.enqueue(
                secret,
                agency_id=agency.id,
                recipient=recipient,
                template="invitation",
                dedupe_key=f"invitation:{invitation.id}",
                params={
                    "guardian_first_name": adult.first_name,
                    "agency_name": agency.name,
                    "link": messages.link(base_url, "/join", lang=recipient.language.value),
                },
                secret_params={"code": code},
                now=now,
                hourly_cap=hourly_cap,
            )
            await audit.record(
                principal,
                "family.invite",
                agency_id=agency.id,
                target_type="guardian",
                target_id=adult.id,
                data={
                    "invitation_id": str(invitation.id),
                    "channel": recipient.channel.value,
                    "superseded": superseded,
                },
            )
    except notifications.TooManyMessages:
        raise _Refused(InviteOutcome.TOO_MANY_MESSAGES) from None
    return InviteOutcome.INVITED


async def _with_rows(principal: StaffPrincipal, results: list[InviteResult]) -> list[InviteResult]:
    """Attach the current row of every guardian the caller may see."""
    found = [r for r in results if r.outcome is not InviteOutcome.NOT_FOUND]
    if not found:
        return results
    reachable = guardian_list.readable_adults(principal)
    adults = await reachable.filter(id__in=[r.guardian_id for r in found])
    children = await people.readable_children(principal).filter(
        family_id__in=[a.family_id for a in adults]
    )
    rows = {str(row.adult.id): row for row in await guardian_list.guardian_rows(adults, children)}
    return [InviteResult(r.guardian_id, r.outcome, rows.get(r.guardian_id)) for r in results]


# --- unlinking --------------------------------------------------------------------------


async def unlink(
    principal: StaffPrincipal, guardian_id: UUID, *, bus: EventBus, now: datetime
) -> guardian_list.GuardianRow:
    """Disconnect a guardian from their family account: back to INVITE, PIN untouched.

    The account keeps its other links; its sessions lose this guardian at their next
    request, and its open sockets close at once so they reconnect with what is left.
    """
    adult = await guardian_list.readable_adults(principal).filter(id=guardian_id).first()
    if adult is None:
        raise NotFound("Guardian")
    async with in_transaction():
        link = await GuardianLink.filter(adult_id=adult.id).select_for_update().first()
        if link is None:
            raise DomainError(
                InvitationErrorCode.NOT_LINKED,
                "This guardian has no family account to unlink.",
                "guardianId",
            )
        account_id = link.account_id
        await link.delete()
        await Invitation.filter(adult_id=adult.id, revoked_at__isnull=True).update(revoked_at=now)
        await audit.record(
            principal,
            "family.unlink",
            agency_id=principal.agency_id,
            target_type="guardian",
            target_id=adult.id,
            data={"account_id": str(account_id)},
        )
    await bus.publish([(channels.access(account_id), AccessChanged(str(account_id), None))])
    return await guardian_list.guardian_row(adult, principal)


# --- claiming (registration and new connections) ---------------------------------------


async def claim(secret: Keyring, code: str, account: FamilyAccount, now: datetime) -> Invitation:
    """Use an invitation code: link its guardian to ``account``. Call inside a transaction.

    Wrong, used, superseded, revoked and expired codes are all the same NotFound, and
    nothing is written for them.
    """
    normalized = normalize_code(code)
    if normalized is None:
        raise NotFound("Invitation")
    invitation = (
        await Invitation.filter(
            code_hash__in=code_hashes(secret, normalized),
            used_at__isnull=True,
            superseded_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .select_for_update()
        .first()
    )
    if invitation is None:
        raise NotFound("Invitation")
    # Fetched apart: PostgreSQL cannot lock rows through select_related's outer joins.
    await invitation.fetch_related("adult", "agency")
    if invitation.adult.guardian_slot is None:
        raise NotFound("Invitation")
    # Conditional, so two registrations racing on one code cannot both use it.
    used = await Invitation.filter(id=invitation.id, used_at__isnull=True).update(
        used_at=now, used_by_id=account.id
    )
    if used != 1 or await GuardianLink.exists(adult_id=invitation.adult_id):
        raise NotFound("Invitation")
    await GuardianLink.create(account=account, adult_id=invitation.adult_id)
    return invitation
