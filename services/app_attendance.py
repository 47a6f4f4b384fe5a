"""Signing children in and out from a parent's own phone, only with the site's QR code.

The family app may sign a child in or out only at the door: the parent scans the code the
site's kiosk shows (services/contactless.py), and the app sends it with the entry. The
time is the server's (a parent cannot backdate), the actor is the guardian the account is
linked to, and the event records the contactless source and the account as the proof.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from auth.keys import Keyring
from auth.principals import ParentPrincipal
from models.attendance import ActorKind, AuthMethod, EventKind, EventSource
from models.org import Classroom
from models.people import FamilyAdult, SharedPickup
from realtime.bus import EventBus
from services import attendance, contactless, org, people, roster_events
from services.errors import DomainError, DomainErrors, InvalidInput, NotFound
from services.rosters import RosterEntry


async def _families(principal: ParentPrincipal) -> set[UUID]:
    """The parent's own families and those that named one of their guardians a pickup."""
    shared = await SharedPickup.filter(adult_id__in=list(principal.adult_ids)).values_list(
        "family_id", flat=True
    )
    return set(principal.family_ids) | {UUID(str(f)) for f in shared}


async def _checked(
    principal: ParentPrincipal,
    entry: attendance.Entry,
    *,
    secret: Keyring,
    now: datetime,
) -> tuple[Classroom, list[UUID], FamilyAdult]:
    if entry.at is not None:
        raise InvalidInput("From the family app the time is always now.", "at")
    if entry.operator_pin is not None:
        raise InvalidInput("Staff PINs are not used from the family app.", "operatorPin")
    child_ids = attendance.check_group(entry.child_ids)
    classroom = (
        await Classroom.filter(
            id=entry.classroom_id, site__agency_id__in=list(principal.agency_ids)
        )
        .select_related("site")
        .first()
    )
    if classroom is None:
        raise NotFound("Classroom")
    site = classroom.site
    # The code first: without being at the door nothing else is worth telling.
    contactless.verify(secret, site, entry.contactless_token, now)
    today = org.local_date(site, now)
    enrolled = set(
        await people.active_enrollments(today)
        .filter(
            classroom_id=classroom.id,
            child_id__in=child_ids,
            child__family_id__in=list(await _families(principal)),
        )
        .values_list("child_id", flat=True)
    )
    # Another family's child reads exactly like a child not enrolled here today.
    missing = [cid for cid in child_ids if cid not in {UUID(str(e)) for e in enrolled}]
    if missing:
        raise DomainErrors(
            [
                DomainError(
                    attendance.AttendanceErrorCode.NOT_ENROLLED,
                    f"Child {cid} is not enrolled in this classroom today.",
                    "childIds",
                )
                for cid in missing
            ]
        )
    guardian = (
        await FamilyAdult.filter(id__in=list(principal.adult_ids), family__agency_id=site.agency_id)
        .order_by("guardian_slot")
        .first()
    )
    if guardian is None:
        raise NotFound("Classroom")
    return classroom, child_ids, guardian


def _actor(principal: ParentPrincipal, guardian: FamilyAdult) -> attendance.Actor:
    return attendance.Actor(
        principal=principal,
        kind=ActorKind.GUARDIAN,
        name=guardian.display_name,
        device=principal.device,
        source=EventSource.CONTACTLESS_QR,
        auth_method=AuthMethod.QR_ACCOUNT,
        adult_id=UUID(str(guardian.id)),
    )


async def _record(
    principal: ParentPrincipal,
    entry: attendance.Entry,
    kind: EventKind,
    *,
    bus: EventBus,
    secret: Keyring,
    now: datetime,
) -> list[RosterEntry]:
    classroom, child_ids, guardian = await _checked(principal, entry, secret=secret, now=now)
    day = org.local_date(classroom.site, now)
    uuids = attendance.client_uuids(entry.client_mutation_id, child_ids)
    if entry.client_mutation_id and await attendance.already_recorded(principal.device, uuids):
        return await attendance.current_entries(classroom.id, day, child_ids)
    events = await attendance.record_change(
        kind,
        _actor(principal, guardian),
        classroom.site,
        {cid: classroom.id for cid in child_ids},
        at=now,
        day=day,
        operator=None,
        client_uuids=uuids,
        now=now,
    )
    return await roster_events.publish_changes(bus, classroom.site, day, events)


async def sign_in(
    principal: ParentPrincipal,
    entry: attendance.Entry,
    *,
    bus: EventBus,
    secret: Keyring,
    now: datetime,
) -> list[RosterEntry]:
    return await _record(principal, entry, EventKind.SIGN_IN, bus=bus, secret=secret, now=now)


async def sign_out(
    principal: ParentPrincipal,
    entry: attendance.Entry,
    *,
    bus: EventBus,
    secret: Keyring,
    now: datetime,
) -> list[RosterEntry]:
    return await _record(principal, entry, EventKind.SIGN_OUT, bus=bus, secret=secret, now=now)
