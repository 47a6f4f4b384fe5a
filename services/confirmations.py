"""Parents confirming and signing what staff entered; staff resetting and asking again.

A staff sign-in, sign-out or absence of the last 31 site-local days is *unconfirmed*
until a signature in force (neither stale nor reset) of a guardian of the child covers
it. A corrected entry is replaced by its correction, which is what the parent confirms.
Parents confirm in the family app (FAMILY_APP) or with their PIN at the kiosk
(KIOSK_PIN, services/pinpad.py); either way one signature binds what they saw.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.keys import Keyring
from auth.principals import ParentPrincipal, Principal, StaffPrincipal
from models.attendance import ActorKind, AttendanceEvent, EventKind
from models.org import Agency
from models.people import Child, Family, FamilyAdult
from models.signatures import ParentSignature, SignatureMethod, SignedEntry
from services import audit, messages, notifications, org, people, signatures
from services.errors import DomainError, DomainErrors, InvalidInput, NotFound


class ConfirmationErrorCode(StrEnum):
    """Rule failures of guardians confirming staff entries."""

    NOT_CONFIRMABLE = "NOT_CONFIRMABLE"
    ALREADY_RESET = "ALREADY_RESET"
    NOTHING_TO_CONFIRM = "NOTHING_TO_CONFIRM"


MAX_ENTRIES = 100
_KINDS = (EventKind.SIGN_IN, EventKind.SIGN_OUT, EventKind.ABSENT)


@dataclass(frozen=True)
class Unconfirmed:
    """A staff entry waiting for a guardian's signature."""

    event: AttendanceEvent
    child: Child
    # The time the corrected entry said, when this entry is a correction.
    corrected_from: datetime | None
    # A parent had signed it (or the entry it corrects) and that signature went stale.
    asked_again: bool


async def unconfirmed_for_families(
    family_ids: Collection[UUID | str], agency_ids: Collection[UUID | str], now: datetime
) -> list[Unconfirmed]:
    """The families' unconfirmed entries, oldest first: at most five queries for any number."""
    if not family_ids or not agency_ids:
        return []
    # Two days of slack covers every time zone; the exact window is per site below.
    earliest = now.date() - timedelta(days=signatures.CONFIRMATION_WINDOW_DAYS + 1)
    candidates = await AttendanceEvent.filter(
        child__family_id__in=list(family_ids),
        child__agency_id__in=list(agency_ids),
        actor_kind__in=list(signatures.CONFIRMED_ACTORS),
        kind__in=list(_KINDS),
        local_date__gte=earliest,
    ).select_related("site", "child")
    events = [
        e
        for e in candidates
        if e.local_date >= signatures.window_start(org.local_date(e.site, now))
    ]
    if not events:
        return []
    ids = [e.id for e in events]
    corrected = set(
        str(c)
        for c in await AttendanceEvent.filter(corrects_id__in=ids).values_list(
            "corrects_id", flat=True
        )
    )
    open_events = [e for e in events if str(e.id) not in corrected]
    signed = await signatures.current_signatures([e.id for e in open_events])
    waiting = [e for e in open_events if str(e.id) not in signed]
    originals = {
        str(o.id): o
        for o in await AttendanceEvent.filter(
            id__in=[e.corrects_id for e in waiting if e.corrects_id]
        )
    }
    # Signed once, then the signature went stale (a signed entry was corrected).
    stale_ids = set(
        str(i)
        for i in await SignedEntry.filter(
            event_id__in=[*originals, *(e.id for e in waiting)],
            signature__stale_at__isnull=False,
        ).values_list("event_id", flat=True)
    )
    found = []
    for event in sorted(waiting, key=lambda e: (e.occurred_at, str(e.id))):
        original = originals.get(str(event.corrects_id)) if event.corrects_id else None
        found.append(
            Unconfirmed(
                event=event,
                child=event.child,
                corrected_from=original.occurred_at if original else None,
                asked_again=str(event.id) in stale_ids
                or (original is not None and str(original.id) in stale_ids),
            )
        )
    return found


async def unconfirmed_for_parent(principal: ParentPrincipal, now: datetime) -> list[Unconfirmed]:
    """What the signed-in parent is asked to confirm: their own families' entries only."""
    return await unconfirmed_for_families(principal.family_ids, principal.agency_ids, now)


async def unconfirmed_for_child(
    principal: StaffPrincipal, child_id: UUID, now: datetime
) -> list[Unconfirmed]:
    """A child's unconfirmed entries at the sites the staff member works at."""
    return await _unconfirmed_of(principal, await people.get_child(principal, child_id), now)


async def _unconfirmed_of(
    principal: StaffPrincipal, child: Child, now: datetime
) -> list[Unconfirmed]:
    found = await unconfirmed_for_families([child.family_id], [principal.agency_id], now)
    sites = {str(s) for s in principal.site_ids}
    return [u for u in found if str(u.child.id) == str(child.id) and str(u.event.site_id) in sites]


# --- signing -------------------------------------------------------------------------------


def _check_entry_ids(entry_ids: Sequence[UUID]) -> list[UUID]:
    if not entry_ids:
        raise InvalidInput("Choose at least one entry.", "entryIds")
    if len(entry_ids) > MAX_ENTRIES:
        raise InvalidInput(f"At most {MAX_ENTRIES} entries at once.", "entryIds")
    return list(dict.fromkeys(entry_ids))


def not_confirmable(entry_id: UUID | str) -> DomainError:
    # Another family's entry, a missing one and one already signed get the same answer.
    return DomainError(
        ConfirmationErrorCode.NOT_CONFIRMABLE,
        f"Entry {entry_id} is not waiting for your confirmation.",
        "entryIds",
    )


async def confirm(
    principal: Principal,
    signers: Sequence[FamilyAdult],
    entry_ids: Sequence[UUID],
    *,
    agency_ids: Collection[UUID | str],
    method: SignatureMethod,
    device: str,
    now: datetime,
) -> list[ParentSignature]:
    """Sign the listed entries: each must be an unconfirmed entry of a signer's family.

    All of them or none. One signature per family (normally just one), by that family's
    signer, binding the entries as they read now.
    """
    wanted = _check_entry_ids(entry_ids)
    by_family = {str(a.family_id): a for a in signers if a.is_guardian}
    if not by_family:
        raise DomainErrors([not_confirmable(i) for i in wanted])
    created: list[ParentSignature] = []
    async with in_transaction():
        # Serialises confirmations of one family, so two taps never sign an entry twice.
        await Family.filter(id__in=list(by_family)).select_for_update()
        waiting = {
            str(u.event.id): u for u in await unconfirmed_for_families(by_family, agency_ids, now)
        }
        refused = [not_confirmable(i) for i in wanted if str(i) not in waiting]
        if refused:
            raise DomainErrors(refused)
        grouped: dict[str, list[AttendanceEvent]] = defaultdict(list)
        for entry_id in wanted:
            unconfirmed = waiting[str(entry_id)]
            grouped[str(unconfirmed.child.family_id)].append(unconfirmed.event)
        for family_id, events in grouped.items():
            signer = by_family[family_id]
            signature = await signatures.sign(
                signer,
                events,
                agency_id=events[0].agency_id,
                method=method,
                device=device,
                now=now,
            )
            await audit.record(
                principal,
                "attendance.confirm",
                agency_id=events[0].agency_id,
                target_type="parent_signature",
                target_id=signature.id,
                on_behalf_of=(ActorKind.GUARDIAN.value, signer.id),
                data={
                    "method": method.value,
                    "device": device,
                    "event_ids": [c["event_id"] for c in signature.content],
                    "content_hash": signature.content_hash,
                },
            )
            signature.adult = signer
            created.append(signature)
    return created


async def confirm_as_parent(
    principal: ParentPrincipal, entry_ids: Sequence[UUID], *, now: datetime
) -> list[ParentSignature]:
    """The family app: the account's own guardians sign their families' entries."""
    guardians = await FamilyAdult.filter(
        id__in=list(principal.adult_ids), guardian_slot__isnull=False
    )
    return await confirm(
        principal,
        guardians,
        entry_ids,
        agency_ids=principal.agency_ids,
        method=SignatureMethod.FAMILY_APP,
        device=principal.device,
        now=now,
    )


# --- staff: reset and ask again ------------------------------------------------------------


def readable_signatures(principal: StaffPrincipal) -> QuerySet[ParentSignature]:
    """Signatures over entries at the staff member's sites, in their agency."""
    return ParentSignature.filter(
        agency_id=principal.agency_id,
        entries__event__site_id__in=list(principal.site_ids),
    )


async def reset_signature(
    principal: StaffPrincipal, signature_id: UUID, *, now: datetime
) -> ParentSignature:
    """Withdraw a parent's signature; the entries it covered are unconfirmed again."""
    if not await readable_signatures(principal).filter(id=signature_id).exists():
        raise NotFound("Signature")
    async with in_transaction():
        # Locked alone: PostgreSQL cannot lock the nullable side of a join.
        signature = await ParentSignature.filter(id=signature_id).select_for_update().get()
        if signature.reset_at is not None:
            raise DomainError(
                ConfirmationErrorCode.ALREADY_RESET,
                "This signature was already reset.",
                "signatureId",
            )
        signature.reset_at = now
        signature.reset_by_id = str(principal.user_id)
        await ParentSignature.filter(id=signature.id).update(
            reset_at=now, reset_by_id=principal.user_id
        )
        await signature.fetch_related("adult")
        await audit.record(
            principal,
            "attendance.reset_signature",
            agency_id=principal.agency_id,
            target_type="parent_signature",
            target_id=signature.id,
            data={
                "adult_id": str(signature.adult_id),
                "event_ids": [c["event_id"] for c in signature.content],
                "was_stale": signature.stale_at is not None,
            },
        )
    return signature


class RequestOutcome(StrEnum):
    QUEUED = "QUEUED"
    NO_CONTACT = "NO_CONTACT"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"


@dataclass(frozen=True)
class GuardianRequest:
    guardian: FamilyAdult
    outcome: RequestOutcome


async def request_confirmation(
    principal: StaffPrincipal,
    child_id: UUID,
    *,
    secret: Keyring,
    base_url: str,
    hourly_cap: int,
    now: datetime,
) -> list[GuardianRequest]:
    """Ask guardians A and B again, each by their preferred contact in their language.

    Only when the child has entries waiting: a message with nothing to confirm would
    teach parents to ignore the next one.
    """
    child = await people.get_child(principal, child_id)
    if not await _unconfirmed_of(principal, child, now):
        raise DomainError(
            ConfirmationErrorCode.NOTHING_TO_CONFIRM,
            "The child has no entries waiting for confirmation.",
            "childId",
        )
    agency = await Agency.get(id=child.agency_id)
    guardians = await FamilyAdult.filter(
        family_id=child.family_id, guardian_slot__isnull=False
    ).order_by("guardian_slot")
    request_id = uuid4()
    results: list[GuardianRequest] = []
    async with in_transaction():
        for guardian in guardians:
            results.append(
                GuardianRequest(
                    guardian,
                    await _ask(
                        guardian, child, agency, request_id, secret, base_url, hourly_cap, now
                    ),
                )
            )
        await audit.record(
            principal,
            "attendance.request_confirmation",
            agency_id=child.agency_id,
            target_type="child",
            target_id=child.id,
            data={
                "request_id": str(request_id),
                "outcomes": {str(r.guardian.id): r.outcome.value for r in results},
            },
        )
    return results


async def _ask(
    guardian: FamilyAdult,
    child: Child,
    agency: Agency,
    request_id: UUID,
    secret: Keyring,
    base_url: str,
    hourly_cap: int,
    now: datetime,
) -> RequestOutcome:
    recipient = notifications.recipient_for(guardian)
    if recipient is None:
        return RequestOutcome.NO_CONTACT
    try:
        await notifications.enqueue(
            secret,
            agency_id=agency.id,
            recipient=recipient,
            template="confirmation_request",
            dedupe_key=f"confirmation_request:{request_id}:{guardian.id}",
            params={
                "guardian_first_name": guardian.first_name,
                "child_first_name": child.first_name,
                "agency_name": agency.name,
                "link": messages.link(base_url, "/confirm", lang=recipient.language.value),
            },
            now=now,
            hourly_cap=hourly_cap,
        )
    except notifications.TooManyMessages:
        return RequestOutcome.TOO_MANY_MESSAGES
    return RequestOutcome.QUEUED
