"""The kiosk PIN pad: an adult types their PIN, sees their children, signs them in or out.

Each call carries the PIN again (the pad keeps no session between screens), so every
call is one counted attempt (services/pad_lockout.py). Guardians sign their family's
children; contacts only when they are authorized pickups; a shared pickup also signs the
children of the families that authorized them. Only children enrolled today at the
kiosk's site are offered, shown by first name and last initial.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tortoise.expressions import Q, Subquery

from auth.keys import Keyring
from auth.principals import KioskPrincipal
from models.attendance import ActorKind, AuthMethod, EventKind, EventSource
from models.kiosk import PinPurpose
from models.org import Site, StaffSiteAccess, StaffUser
from models.people import FamilyAdult, SharedPickup
from models.pins import PinCredential
from models.signatures import SignatureMethod
from realtime.bus import EventBus
from services import attendance, confirmations, org, pad_lockout, people, roster_events
from services.errors import DomainError, DomainErrors
from services.pad_lockout import PadState
from services.rosters import DayStatus, RosterEntry, day_records, derive_child_day


class PinPadErrorCode(StrEnum):
    """Rule failures of signing children at the PIN pad, beyond attendance's."""

    NOT_ALLOWED = "NOT_ALLOWED"


def _initial(name: str) -> str:
    return f"{name.strip()[:1].upper()}." if name.strip() else ""


@dataclass(frozen=True)
class PadChild:
    id: UUID
    first_name: str
    last_initial: str
    classroom_id: UUID
    status: DayStatus


@dataclass(frozen=True)
class PadEntry:
    """A staff entry the guardian is asked to confirm, the child named as on the pad."""

    id: UUID
    child_id: UUID
    child_first_name: str
    child_last_initial: str
    unconfirmed: confirmations.Unconfirmed


@dataclass(frozen=True)
class PadVisit:
    """What the pad shows the adult whose PIN was accepted."""

    adult_id: UUID
    adult_first_name: str
    adult_last_initial: str
    children: list[PadChild]
    # Guardians only: contacts and pickups never sign for the family.
    unconfirmed_entries: list[PadEntry]


async def _adult_for(credential: PinCredential, site: Site) -> FamilyAdult | None:
    """The family adult holding this PIN; staff PINs are refused by the parent pad."""
    if credential.adult_id is None:
        return None
    return await FamilyAdult.get_or_none(
        id=credential.adult_id, family__agency_id=site.agency_id
    ).select_related("family")


async def _children(adult: FamilyAdult, site: Site, now: datetime) -> list[PadChild]:
    # The families that authorized this adult as a shared pickup, asked within the same
    # query: the pad's list costs the same whoever types the PIN.
    families = Q(
        child__family_id__in=Subquery(SharedPickup.filter(adult_id=adult.id).values("family_id"))
    )
    if adult.is_guardian or adult.authorized_pickup:
        families |= Q(child__family_id=adult.family_id)
    today = org.local_date(site, now)
    enrollments = (
        await people.active_enrollments(today)
        .filter(
            families,
            child__agency_id=site.agency_id,
            classroom__site_id=site.id,
            classroom__archived_at__isnull=True,
        )
        .select_related("child")
        .order_by("child__first_name", "child__last_name")
    )
    placed: dict[str, PadChild] = {}
    sessions, events = await day_records((e.child_id for e in enrollments), today)
    for enrollment in enrollments:
        key = str(enrollment.child_id)
        if key in placed:
            continue
        child = enrollment.child
        placed[key] = PadChild(
            id=UUID(key),
            first_name=child.first_name,
            last_initial=_initial(child.last_name),
            classroom_id=UUID(str(enrollment.classroom_id)),
            status=derive_child_day(sessions[key], events[key]).status,
        )
    return list(placed.values())


async def _visit(
    principal: KioskPrincipal, pin: str, secret: Keyring, now: datetime, bus: EventBus
) -> tuple[FamilyAdult, Site, PadVisit]:
    adult, _, site = await pad_lockout.attempt(
        principal, pin, PinPurpose.PAD, _adult_for, secret=secret, now=now, bus=bus
    )
    visit = PadVisit(
        adult_id=UUID(str(adult.id)),
        adult_first_name=adult.first_name,
        adult_last_initial=_initial(adult.last_name),
        children=await _children(adult, site, now),
        unconfirmed_entries=await _unconfirmed(adult, site, now),
    )
    return adult, site, visit


async def _unconfirmed(adult: FamilyAdult, site: Site, now: datetime) -> list[PadEntry]:
    """The guardian's family's staff entries waiting for a signature (asked at sign-in)."""
    if not adult.is_guardian:
        return []
    found = await confirmations.unconfirmed_for_families([adult.family_id], [site.agency_id], now)
    return [
        PadEntry(
            id=UUID(str(u.event.id)),
            child_id=UUID(str(u.child.id)),
            child_first_name=u.child.first_name,
            child_last_initial=_initial(u.child.last_name),
            unconfirmed=u,
        )
        for u in found
    ]


async def identify(
    principal: KioskPrincipal, pin: str, *, secret: Keyring, now: datetime, bus: EventBus
) -> PadVisit:
    _, _, visit = await _visit(principal, pin, secret, now, bus)
    return visit


def _chosen(visit: PadVisit, child_ids: Sequence[UUID]) -> list[PadChild]:
    """The requested children, each one the adult may sign here: all of them or none."""
    wanted = attendance.check_group(child_ids)
    allowed = {c.id: c for c in visit.children}
    # A child of another family looks exactly like one that does not exist.
    refused = [
        DomainError(
            PinPadErrorCode.NOT_ALLOWED,
            f"Child {cid} cannot be signed here with this PIN.",
            "childIds",
        )
        for cid in wanted
        if cid not in allowed
    ]
    if refused:
        raise DomainErrors(refused)
    return [allowed[cid] for cid in wanted]


def _actor(principal: KioskPrincipal, adult: FamilyAdult) -> attendance.Actor:
    return attendance.Actor(
        principal=principal,
        kind=ActorKind.GUARDIAN if adult.is_guardian else ActorKind.CONTACT,
        name=adult.display_name,
        device=principal.device,
        source=EventSource.KIOSK_PIN,
        auth_method=AuthMethod.PIN,
        adult_id=UUID(str(adult.id)),
    )


async def _confirmed(adult: FamilyAdult, site: Site, now: datetime, visit: PadVisit) -> PadVisit:
    """The visit after signing entries: only the waiting entries changed, not the day."""
    return replace(visit, unconfirmed_entries=await _unconfirmed(adult, site, now))


async def confirm_entries(
    principal: KioskPrincipal,
    pin: str,
    entry_ids: Sequence[UUID],
    *,
    secret: Keyring,
    now: datetime,
    bus: EventBus,
) -> PadVisit:
    """A guardian signs their family's staff entries with their own PIN: all or none."""
    adult, site, visit = await _visit(principal, pin, secret, now, bus)
    await confirmations.confirm(
        principal,
        [adult],
        entry_ids,
        agency_ids=[site.agency_id],
        method=SignatureMethod.KIOSK_PIN,
        device=principal.device,
        now=now,
    )
    return await _confirmed(adult, site, now, visit)


async def _record(
    principal: KioskPrincipal,
    pin: str,
    child_ids: Sequence[UUID],
    kind: EventKind,
    *,
    secret: Keyring,
    now: datetime,
    bus: EventBus,
    client_mutation_id: UUID | None = None,
) -> PadVisit:
    adult, site, visit = await _visit(principal, pin, secret, now, bus)
    chosen = _chosen(visit, child_ids)
    day = org.local_date(site, now)
    uuids = attendance.client_uuids(client_mutation_id, [c.id for c in chosen])
    if client_mutation_id and await attendance.already_recorded(principal.device, uuids):
        # A retry of an entry already stored: the visit, read just now, shows its result.
        return visit
    events = await attendance.record_change(
        kind,
        _actor(principal, adult),
        site,
        {c.id: c.classroom_id for c in chosen},
        at=now,
        day=day,
        operator=None,
        client_uuids=uuids,
        now=now,
    )
    changed = await roster_events.publish_changes(bus, site, day, events)
    return _recorded(visit, changed)


def _recorded(visit: PadVisit, changed: Sequence[RosterEntry]) -> PadVisit:
    """The visit after signing: the signed children's day as published, read after
    commit; the others as read before. Nothing else is read again: a PIN-pad event is
    never a staff entry, so the entries waiting for confirmation are the same."""
    now_status = {UUID(str(e.child.id)): e.day.status for e in changed}
    children = [replace(c, status=now_status.get(c.id, c.status)) for c in visit.children]
    return replace(visit, children=children)


async def sign_in(
    principal: KioskPrincipal,
    pin: str,
    child_ids: Sequence[UUID],
    *,
    secret: Keyring,
    now: datetime,
    bus: EventBus,
    client_mutation_id: UUID | None = None,
) -> PadVisit:
    return await _record(
        principal,
        pin,
        child_ids,
        EventKind.SIGN_IN,
        secret=secret,
        now=now,
        bus=bus,
        client_mutation_id=client_mutation_id,
    )


async def sign_out(
    principal: KioskPrincipal,
    pin: str,
    child_ids: Sequence[UUID],
    *,
    secret: Keyring,
    now: datetime,
    bus: EventBus,
    client_mutation_id: UUID | None = None,
) -> PadVisit:
    return await _record(
        principal,
        pin,
        child_ids,
        EventKind.SIGN_OUT,
        secret=secret,
        now=now,
        bus=bus,
        client_mutation_id=client_mutation_id,
    )


async def _staff_for(credential: PinCredential, site: Site) -> StaffUser | None:
    """An active staff member who works at this site; family PINs never unlock."""
    if credential.staff_id is None:
        return None
    staff = await StaffUser.get_or_none(
        id=credential.staff_id, agency_id=site.agency_id, is_active=True
    )
    if staff is None:
        return None
    if staff.is_agency_admin or await StaffSiteAccess.exists(staff_id=staff.id, site_id=site.id):
        return staff
    return None


async def unlock(
    principal: KioskPrincipal, pin: str, *, secret: Keyring, now: datetime, bus: EventBus
) -> PadState:
    staff, _, _ = await pad_lockout.attempt(
        principal, pin, PinPurpose.UNLOCK, _staff_for, secret=secret, now=now, bus=bus
    )
    return await pad_lockout.unlock(principal, staff.id, now=now, bus=bus)
