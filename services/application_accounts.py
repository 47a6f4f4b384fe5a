"""Staff invite, re-invite and unlink the family accounts of applications, one or a batch,
with one outcome per application; submitting an application sends its first invitation.

Each application is handled in its own transaction, so one without a phone number does not
stop the others and none is ever half done. Unlinking revokes the open codes: the family
is invited again and, to use new credentials, resets its password. Unlinking an enrolled
application takes only the application's link: the account link enrollment gave guardian A
is the guardian's own, and staff remove it from the guardian list (services/invitations.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.transactions import in_transaction

from auth.principals import StaffPrincipal
from models.people import ContactMethod
from models.waitlist import Application, ApplicationInvitation, ApplicationLink, ApplicationStatus
from services import application_links, application_notices, applications, audit, notifications
from services.application_notices import Outbox
from services.applications import ApplicationRow
from services.errors import InvalidInput, NotFound
from services.ids import parse_id

MAX_BATCH = 100


class AccountOutcome(StrEnum):
    INVITED = "INVITED"
    UNLINKED = "UNLINKED"
    NO_CONTACT = "NO_CONTACT"
    ALREADY_LINKED = "ALREADY_LINKED"
    NOT_LINKED = "NOT_LINKED"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"
    NOT_FOUND = "NOT_FOUND"


_FOUND = frozenset(AccountOutcome) - {AccountOutcome.NOT_FOUND}


@dataclass(frozen=True)
class AccountResult:
    application_id: str
    outcome: AccountOutcome
    row: ApplicationRow | None = None


class _Refused(Exception):
    def __init__(self, outcome: AccountOutcome) -> None:
        self.outcome = outcome


async def _locked(principal: StaffPrincipal, raw: str) -> Application:
    """An application the caller reads, its row locked; anything else is NOT_FOUND."""
    application_id = parse_id(raw, "Application")
    if not await applications.readable_applications(principal).filter(id=application_id).exists():
        raise NotFound("Application")
    return await Application.filter(id=application_id).select_for_update().get()


async def _invite_one(
    principal: StaffPrincipal, raw: str, method: ContactMethod | None, outbox: Outbox, now: datetime
) -> AccountOutcome:
    async with in_transaction():
        application = await _locked(principal, raw)
        if await ApplicationLink.exists(application_id=application.id):
            raise _Refused(AccountOutcome.ALREADY_LINKED)
        to = application_notices.recipient(application, method)
        if to is None:
            raise _Refused(AccountOutcome.NO_CONTACT)
        await application_links.send_code(principal, application, to, outbox, now)
    return AccountOutcome.INVITED


async def _unlink_one(
    principal: StaffPrincipal, raw: str, method: ContactMethod | None, outbox: Outbox, now: datetime
) -> AccountOutcome:
    async with in_transaction():
        application = await _locked(principal, raw)
        link = await ApplicationLink.filter(application_id=application.id).first()
        if link is None:
            raise _Refused(AccountOutcome.NOT_LINKED)
        await link.delete()
        await ApplicationInvitation.filter(
            application_id=application.id, revoked_at__isnull=True
        ).update(revoked_at=now)
        await audit.record(
            principal,
            "application.unlink",
            agency_id=principal.agency_id,
            target_type="application",
            target_id=application.id,
            data={
                "account_id": str(link.account_id),
                "status": application.status.value,
                # An enrolled family's guardian link is the guardian's own and stays.
                "guardian_links_kept": application.status is ApplicationStatus.ENROLLED,
            },
        )
        await application_notices.send(outbox, application, "application_unlinked", now=now)
    return AccountOutcome.UNLINKED


_One = Callable[
    [StaffPrincipal, str, ContactMethod | None, Outbox, datetime], Awaitable[AccountOutcome]
]


async def _each(
    principal: StaffPrincipal,
    application_ids: list[str],
    one: _One,
    method: ContactMethod | None,
    outbox: Outbox,
    now: datetime,
) -> list[AccountResult]:
    """Run ``one`` for every application given, each its own outcome, then their rows."""
    if not application_ids:
        raise InvalidInput("Choose at least one application.", "applicationIds")
    if len(application_ids) > MAX_BATCH:
        raise InvalidInput(f"At most {MAX_BATCH} applications at once.", "applicationIds")
    outcomes = []
    for raw in dict.fromkeys(application_ids):
        try:
            outcome = await one(principal, raw, method, outbox, now)
        except NotFound:
            outcome = AccountOutcome.NOT_FOUND
        except notifications.TooManyMessages:
            outcome = AccountOutcome.TOO_MANY_MESSAGES
        except _Refused as refused:
            outcome = refused.outcome
        outcomes.append((raw, outcome))
    found = {raw: parse_id(raw, "Application") for raw, o in outcomes if o in _FOUND}
    rows = await applications.rows_for(principal, list(found.values()))
    return [
        AccountResult(raw, o, rows.get(found[raw]) if raw in found else None) for raw, o in outcomes
    ]


async def invite(
    principal: StaffPrincipal,
    application_ids: list[str],
    *,
    method: ContactMethod | None,
    outbox: Outbox,
    now: datetime,
) -> list[AccountResult]:
    """Invite (or re-invite) one application or a batch, by ``method`` or else each one's
    preferred contact; a chosen channel never falls back to the other."""
    return await _each(principal, application_ids, _invite_one, method, outbox, now)


async def unlink(
    principal: StaffPrincipal, application_ids: list[str], *, outbox: Outbox, now: datetime
) -> list[AccountResult]:
    """Unlink one application or a batch from their family accounts: back to INVITE."""
    return await _each(principal, application_ids, _unlink_one, None, outbox, now)
