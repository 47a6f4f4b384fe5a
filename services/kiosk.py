"""Kiosk tablets: pairing one to a site, revoking it."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth import sessions
from auth.principals import Grant, KioskPrincipal, Principal, StaffPrincipal, is_kiosk, is_staff
from models.access import AuthSession
from models.kiosk import Kiosk
from realtime import channels
from realtime.bus import EventBus
from realtime.events import AccessChanged
from services import audit, org
from services.errors import DomainError, NotFound


class KioskErrorCode(StrEnum):
    """Rule failures of pairing and revoking tablets."""

    INVALID_NAME = "INVALID_NAME"
    ALREADY_REVOKED = "ALREADY_REVOKED"
    SITE_ARCHIVED = "SITE_ARCHIVED"


MAX_NAME_LENGTH = 100


def readable_kiosks(principal: Principal) -> QuerySet[Kiosk]:
    """Site admins see the kiosks of their sites; a kiosk sees itself."""
    if is_staff(principal) and principal.has(Grant.SITE_ADMIN):
        return Kiosk.filter(
            site__agency_id=principal.agency_id, site_id__in=list(principal.site_ids)
        )
    if is_kiosk(principal):
        return Kiosk.filter(id=principal.kiosk_id)
    return Kiosk.filter(id__in=[])


async def own(principal: KioskPrincipal) -> Kiosk:
    """The calling tablet, with its site."""
    found = await readable_kiosks(principal).select_related("site").first()
    if found is None:
        raise NotFound("Kiosk")
    return found


async def pair(
    principal: StaffPrincipal, site_id: UUID, name: str, lifetime: timedelta, now: datetime
) -> tuple[Kiosk, str]:
    """Pair a tablet to one of the admin's sites; returns it and its device token."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise DomainError(
            KioskErrorCode.INVALID_NAME,
            f"Give the tablet a name of 1 to {MAX_NAME_LENGTH} characters.",
            "name",
        )
    site = await org.get_site(principal, site_id)
    if site.archived_at is not None:
        # An archived site has no roster to sign children into.
        raise DomainError(KioskErrorCode.SITE_ARCHIVED, "This site is archived.", "siteId")
    async with in_transaction():
        kiosk = await Kiosk.create(
            site=site, name=name, paired_by_id=principal.user_id, paired_at=now
        )
        token = await sessions.issue_kiosk_session(kiosk, lifetime, now)
        await audit.record(
            principal,
            "kiosk.pair",
            agency_id=site.agency_id,
            target_type="kiosk",
            target_id=kiosk.id,
            data={"site_id": str(site.id), "name": name},
        )
    kiosk.site = site
    return kiosk, token


async def revoke(principal: StaffPrincipal, kiosk_id: UUID, bus: EventBus, now: datetime) -> Kiosk:
    """End a tablet's access now: its token stops working and its sockets close."""
    async with in_transaction():
        kiosk = (
            await readable_kiosks(principal)
            .filter(id=kiosk_id)
            .select_for_update()
            .select_related("site")
            .first()
        )
        if kiosk is None:
            raise NotFound("Kiosk")
        if kiosk.revoked_at is not None:
            raise DomainError(
                KioskErrorCode.ALREADY_REVOKED, "This tablet was already revoked.", "kioskId"
            )
        kiosk.revoked_at = now
        await kiosk.save(update_fields=["revoked_at"])
        await AuthSession.filter(kiosk_id=kiosk.id, revoked_at__isnull=True).update(revoked_at=now)
        await audit.record(
            principal,
            "kiosk.revoke",
            agency_id=kiosk.site.agency_id,
            target_type="kiosk",
            target_id=kiosk.id,
        )
    await bus.publish([(channels.access(kiosk.id), AccessChanged(str(kiosk.id), None))])
    return kiosk
