"""Offline entries from a paired kiosk: the PIN pad's rules, applied when it reconnects.

Online, a kiosk records only what an adult signs at its PIN pad: a guardian or authorized
pickup of the child's family, or a shared pickup the family named, signing the child in
or out at the kiosk's own site. An offline pad keeps the PIN the adult typed with the
entry and sends it here; each distinct PIN of a batch is one counted attempt, exactly as
at the pad (so a batch is no way around the pad's lockout). A kiosk records no absences.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from auth.keys import Keyring
from auth.principals import KioskPrincipal
from models.attendance import EventKind
from models.kiosk import PinPurpose
from models.org import Site
from models.people import Child, FamilyAdult, SharedPickup
from models.pins import PinCredential
from realtime.bus import EventBus
from services import pad_lockout
from services.errors import DomainError
from services.pad_lockout import PadErrorCode
from services.pinpad import PinPadErrorCode


async def _family_adult(credential: PinCredential, site: Site) -> FamilyAdult | None:
    """The family adult holding this PIN; staff PINs sign nothing at the pad."""
    if credential.adult_id is None:
        return None
    return await FamilyAdult.get_or_none(id=credential.adult_id, family__agency_id=site.agency_id)


async def pad_adult(
    principal: KioskPrincipal, pin: str | None, *, secret: Keyring, now: datetime, bus: EventBus
) -> FamilyAdult:
    """The adult whose PIN was typed, checked and counted as at the pad."""
    if not pin:
        raise DomainError(PadErrorCode.INVALID_PIN, "An entry from the pad needs its PIN.", "pin")
    adult, _, _ = await pad_lockout.attempt(
        principal, pin, PinPurpose.PAD, _family_adult, secret=secret, now=now, bus=bus
    )
    return adult


async def check_may_sign(
    adult: FamilyAdult, kind: EventKind, child_id: UUID, agency_id: UUID
) -> None:
    """Sign-ins and sign-outs of a child the adult may collect; nothing else."""
    refused = DomainError(
        PinPadErrorCode.NOT_ALLOWED, "This PIN cannot sign this child here.", "childId"
    )
    if kind is EventKind.ABSENT:
        raise refused
    child = await Child.get_or_none(id=child_id, agency_id=agency_id)
    if child is None:
        raise refused
    own = str(child.family_id) == str(adult.family_id) and (
        adult.is_guardian or adult.authorized_pickup
    )
    if own or await SharedPickup.exists(adult_id=adult.id, family_id=child.family_id):
        return
    raise refused
