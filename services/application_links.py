"""The link between an application and a family account: the codes that make it, the
Online Account column staff read (INVITE, REINVITE, or the linked login), and claiming a
code at registration or as a new connection.

Codes share the guardian invitations' alphabet and lifetime (14 days, once) and are kept
only as a keyed HMAC under their own label, so a guardian code never opens an application
or the other way round. Staff invite and unlink in ``services.application_accounts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tortoise.transactions import in_transaction

from auth.keys import Keyring, Purpose
from auth.principals import Principal, is_staff
from models.family_accounts import FamilyAccount
from models.org import Agency
from models.people import ContactMethod
from models.waitlist import Application, ApplicationInvitation, ApplicationLink
from services import application_notices, audit, invitations, messages, notifications
from services.application_notices import Outbox
from services.errors import NotFound
from services.guardian_list import OnlineAccount, OnlineState


def _message(normalized: str) -> bytes:
    return f"application-invitation:{normalized}".encode()


async def open_invitation(
    principal: Principal,
    application: Application,
    channel: ContactMethod,
    secret: Keyring,
    now: datetime,
) -> tuple[ApplicationInvitation, str, int]:
    """A fresh code superseding the open ones; call inside a transaction holding the
    application row. Returns the invitation, the clear code and how many it superseded."""
    superseded = await ApplicationInvitation.filter(
        application_id=application.id,
        used_at__isnull=True,
        superseded_at__isnull=True,
        revoked_at__isnull=True,
    ).update(superseded_at=now)
    code = invitations.new_code()
    invitation = await ApplicationInvitation.create(
        application_id=application.id,
        invited_by_id=principal.user_id if is_staff(principal) else None,
        channel=channel,
        code_hash=secret.digest(Purpose.CODE_HASH, _message(code.replace("-", ""))),
        created_at=now,
        expires_at=now + invitations.INVITATION_LIFETIME,
    )
    return invitation, code, superseded


async def send_code(
    principal: Principal,
    application: Application,
    to: notifications.Recipient,
    outbox: Outbox,
    now: datetime,
) -> None:
    """A fresh code, its message and its audit entry; inside the caller's transaction."""
    invitation, code, superseded = await open_invitation(
        principal, application, to.channel, outbox.secret, now
    )
    await notifications.enqueue(
        outbox.secret,
        agency_id=application.agency_id,  # type: ignore[attr-defined]
        recipient=to,
        template="application_invitation",
        dedupe_key=f"application_invitation:{invitation.id}",
        params=await application_notices.params_of(application)
        | {"link": messages.link(outbox.base_url, "/join", lang=to.language.value)},
        secret_params={"code": code},
        now=now,
        hourly_cap=outbox.hourly_cap,
    )
    await audit.record(
        principal,
        "application.invite",
        agency_id=application.agency_id,  # type: ignore[attr-defined]
        target_type="application",
        target_id=application.id,
        data={
            "invitation_id": str(invitation.id),
            "channel": to.channel.value,
            "superseded": superseded,
        },
    )


async def invite_on_submit(
    principal: Principal, application: Application, outbox: Outbox, now: datetime
) -> bool:
    """The first invitation, by the preferred contact; a full inbox skips it quietly, so
    the public form's answer stays the same."""
    to = application_notices.recipient(application)
    if to is None:
        return False
    try:
        async with in_transaction():  # a savepoint: a refused message leaves no code
            await send_code(principal, application, to, outbox, now)
    except notifications.TooManyMessages:
        return False
    return True


async def account_states(application_ids: list[UUID]) -> dict[UUID, OnlineAccount]:
    """The Online Account column of each application: 2 queries."""
    links = {
        link.application_id: link
        for link in await ApplicationLink.filter(application_id__in=application_ids).select_related(
            "account"
        )
    }
    sent: dict[UUID, ApplicationInvitation] = {}
    for opened in await ApplicationInvitation.filter(
        application_id__in=application_ids, revoked_at__isnull=True
    ).order_by("created_at"):
        sent[opened.application_id] = opened  # type: ignore[index]  # the latest wins
    states = {}
    for application_id in application_ids:
        link = links.get(application_id)  # type: ignore[call-overload]
        invitation = sent.get(application_id)
        if link is not None:
            states[application_id] = OnlineAccount(
                OnlineState.REGISTERED, link.account.login, None, None
            )
        elif invitation is not None:
            states[application_id] = OnlineAccount(
                OnlineState.REINVITE, None, invitation.created_at, invitation.expires_at
            )
        else:
            states[application_id] = OnlineAccount(OnlineState.INVITE, None, None, None)
    return states


async def claim(
    secret: Keyring, code: str, account: FamilyAccount, now: datetime
) -> ApplicationInvitation:
    """Use an application's code: link the application to ``account``. Call inside a
    transaction. Wrong, used, superseded, revoked and expired codes, and an application
    linked already, are all the same NotFound."""
    normalized = invitations.normalize_code(code)
    if normalized is None:
        raise NotFound("Invitation")
    invitation = (
        await ApplicationInvitation.filter(
            code_hash__in=secret.digests(Purpose.CODE_HASH, _message(normalized)),
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
    # Conditional, so two registrations racing on one code cannot both use it.
    used = await ApplicationInvitation.filter(id=invitation.id, used_at__isnull=True).update(
        used_at=now
    )
    if used != 1 or await ApplicationLink.exists(application_id=invitation.application_id):
        raise NotFound("Invitation")
    await ApplicationLink.create(
        application_id=invitation.application_id, account=account, linked_at=now
    )
    return invitation


@dataclass(frozen=True)
class Claimed:
    """What a code linked: a guardian record or an application, at an agency."""

    agency: Agency
    target_type: str
    target_id: UUID


async def claim_any(secret: Keyring, code: str, account: FamilyAccount, now: datetime) -> Claimed:
    """A guardian's invitation code, or else an application's; NotFound for neither."""
    try:
        invitation = await invitations.claim(secret, code, account, now)
        return Claimed(invitation.agency, "guardian", UUID(str(invitation.adult_id)))
    except NotFound:
        pass
    sent = await claim(secret, code, account, now)
    application = await Application.get(id=sent.application_id).select_related("agency")
    return Claimed(application.agency, "application", application.id)
