"""Agency admins set up sites and classrooms: create, rename, move a site's time zone,
archive. Archiving never deletes: the history of an archived site or classroom
(attendance, signatures, audit) stays readable; it only drops out of lists, counts and
tablets. Every change is audited with the values before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from uuid import UUID
from zoneinfo import available_timezones

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import Principal, StaffPrincipal, is_staff
from models.access import AuthSession
from models.kiosk import Kiosk
from models.org import Classroom, Site, StaffSiteAccess, StaffUser
from models.people import Enrollment
from realtime import channels
from realtime.bus import EventBus
from realtime.events import AccessChanged
from services import audit, org
from services.errors import DomainError, NotFound


class SitesErrorCode(StrEnum):
    """Rule failures of setting up sites and classrooms."""

    INVALID_NAME = "INVALID_NAME"
    DUPLICATE_NAME = "DUPLICATE_NAME"
    INVALID_TIMEZONE = "INVALID_TIMEZONE"
    INVALID_ADDRESS = "INVALID_ADDRESS"
    ARCHIVED = "ARCHIVED"
    IN_USE = "IN_USE"


MAX_NAME_LENGTH = 200
MAX_ADDRESS_LENGTH = 300


@dataclass(frozen=True)
class NewSite:
    name: str
    timezone: str
    address: str = ""


@dataclass(frozen=True)
class SiteChanges:
    """Only the fields given (not None) change."""

    name: str | None = None
    timezone: str | None = None
    address: str | None = None


def administered_sites(principal: Principal) -> QuerySet[Site]:
    """Agency admins run every site of their agency, archived ones included."""
    if is_staff(principal) and principal.is_agency_admin:
        return Site.filter(agency_id=principal.agency_id)
    return Site.filter(id__in=[])


def administered_classrooms(principal: Principal) -> QuerySet[Classroom]:
    if is_staff(principal) and principal.is_agency_admin:
        return Classroom.filter(site__agency_id=principal.agency_id)
    return Classroom.filter(id__in=[])


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _name(value: str, field: str = "name") -> str:
    """Names are 1 to 200 characters, blanks collapsed."""
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise DomainError(
            SitesErrorCode.INVALID_NAME, f"Use 1 to {MAX_NAME_LENGTH} characters.", field
        )
    return cleaned


def _timezone(value: str) -> str:
    """A site's days are local: its time zone must be a name of the IANA database."""
    if value not in _zones():
        raise DomainError(
            SitesErrorCode.INVALID_TIMEZONE,
            "Not an IANA time zone name (such as America/Chicago).",
            "timezone",
        )
    return value


def _address(value: str) -> str:
    cleaned = "\n".join(line.strip() for line in value.strip().splitlines() if line.strip())
    if len(cleaned) > MAX_ADDRESS_LENGTH:
        raise DomainError(
            SitesErrorCode.INVALID_ADDRESS, f"At most {MAX_ADDRESS_LENGTH} characters.", "address"
        )
    return cleaned


def _not_archived(archived_at: datetime | None, what: str, field: str) -> None:
    """An archived site or classroom is kept as it was: its history must not move."""
    if archived_at is not None:
        raise DomainError(SitesErrorCode.ARCHIVED, f"This {what} is archived.", field)


async def _unique(query: QuerySet[Site] | QuerySet[Classroom], name: str, what: str) -> None:
    """Two open sites of an agency (or classrooms of a site) never share a name."""
    if await query.filter(name__iexact=name, archived_at__isnull=True).exists():
        raise DomainError(
            SitesErrorCode.DUPLICATE_NAME, f"Another {what} is already named {name}.", "name"
        )


def _site_values(site: Site) -> dict[str, object]:
    return {"name": site.name, "timezone": site.timezone, "address": site.address}


async def create_site(principal: StaffPrincipal, new: NewSite, *, bus: EventBus) -> Site:
    """A new site of the admin's agency, with the default pad and contactless settings."""
    name, zone, address = _name(new.name), _timezone(new.timezone), _address(new.address)
    async with in_transaction():
        await _unique(Site.filter(agency_id=principal.agency_id), name, "site")
        site = await Site.create(
            agency_id=principal.agency_id, name=name, timezone=zone, address=address
        )
        await audit.record(
            principal,
            "site.create",
            agency_id=principal.agency_id,
            target_type="site",
            target_id=site.id,
            data={"before": None, "after": _site_values(site)},
        )
    await _sites_changed(bus, site)
    return site


async def _sites_changed(bus: EventBus, site: Site) -> None:
    """After commit: whoever reaches the site (every admin of its agency, its staff) now
    reaches a different set of sites; their cached access and open sockets start over."""
    admins = StaffUser.filter(agency_id=site.agency_id, is_agency_admin=True)
    staff_ids: set[UUID] = {UUID(str(i)) for i in await admins.values_list("id", flat=True)}
    at_site = StaffSiteAccess.filter(site_id=site.id)
    staff_ids |= {UUID(str(i)) for i in await at_site.values_list("staff_id", flat=True)}
    await org.access_changed(bus, sorted(staff_ids, key=str))


async def update_site(principal: StaffPrincipal, site_id: UUID, changes: SiteChanges) -> Site:
    """Rename a site, change its address or its time zone. Days already recorded keep the
    local date they were recorded under."""
    wanted: dict[str, str] = {}
    if changes.name is not None:
        wanted["name"] = _name(changes.name)
    if changes.timezone is not None:
        wanted["timezone"] = _timezone(changes.timezone)
    if changes.address is not None:
        wanted["address"] = _address(changes.address)
    async with in_transaction():
        site = await administered_sites(principal).filter(id=site_id).select_for_update().first()
        if site is None:
            raise NotFound("Site")
        _not_archived(site.archived_at, "site", "siteId")
        updates = {k: v for k, v in wanted.items() if getattr(site, k) != v}
        if "name" in updates and updates["name"].lower() != site.name.lower():
            await _unique(
                Site.filter(agency_id=site.agency_id).exclude(id=site.id), updates["name"], "site"
            )
        if not updates:
            return site
        before = {k: getattr(site, k) for k in updates}
        site.update_from_dict(updates)
        await site.save(update_fields=list(updates))
        await audit.record(
            principal,
            "site.update",
            agency_id=site.agency_id,
            target_type="site",
            target_id=site.id,
            data={"before": before, "after": updates},
        )
    return site


def _current_enrollments(now: datetime, site: Site) -> QuerySet[Enrollment]:
    """Enrollments that still cover the site's local today or a later day."""
    today = org.local_date(site, now)
    return Enrollment.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))


async def _refuse_in_use(enrollments: QuerySet[Enrollment], what: str, field: str) -> None:
    """Children still enrolled would vanish from every roster and count while in care,
    and their open enrollment would block the next one: end or move them first."""
    enrolled = await enrollments.count()
    if enrolled:
        raise DomainError(
            SitesErrorCode.IN_USE,
            f"{enrolled} enrollment(s) in this {what} cover today or later: "
            "end them or move the children first.",
            field,
        )


async def archive_site(
    principal: StaffPrincipal, site_id: UUID, *, bus: EventBus, now: datetime
) -> Site:
    """Retire a site with its classrooms. Its tablets are revoked (their sockets close),
    so no pad or contactless code of it works any more."""
    async with in_transaction():
        site = await administered_sites(principal).filter(id=site_id).select_for_update().first()
        if site is None:
            raise NotFound("Site")
        _not_archived(site.archived_at, "site", "siteId")
        await _refuse_in_use(
            _current_enrollments(now, site).filter(classroom__site_id=site.id), "site", "siteId"
        )
        rooms = await Classroom.filter(site_id=site.id, archived_at__isnull=True).values_list(
            "id", flat=True
        )
        kiosks = [k.id for k in await Kiosk.filter(site_id=site.id, revoked_at__isnull=True)]
        site.archived_at = now
        await site.save(update_fields=["archived_at"])
        await Classroom.filter(id__in=list(rooms)).update(archived_at=now)
        await Kiosk.filter(id__in=list(kiosks)).update(revoked_at=now)
        await AuthSession.filter(kiosk_id__in=list(kiosks), revoked_at__isnull=True).update(
            revoked_at=now
        )
        await audit.record(
            principal,
            "site.archive",
            agency_id=site.agency_id,
            target_type="site",
            target_id=site.id,
            data={
                "before": {"archived_at": None},
                "after": {
                    "archived_at": now.isoformat(),
                    "classrooms_archived": sorted(str(r) for r in rooms),
                    "kiosks_revoked": sorted(str(k) for k in kiosks),
                },
            },
        )
    await bus.publish([(channels.access(k), AccessChanged(str(k), None)) for k in kiosks])
    await _sites_changed(bus, site)
    return site


async def _open_site(principal: StaffPrincipal, site_id: UUID) -> Site:
    site = await administered_sites(principal).get_or_none(id=site_id)
    if site is None:
        raise NotFound("Site")
    _not_archived(site.archived_at, "site", "siteId")
    return site


async def create_classroom(principal: StaffPrincipal, site_id: UUID, name: str) -> Classroom:
    """A new classroom at one of the agency's open sites."""
    cleaned = _name(name)
    async with in_transaction():
        site = await _open_site(principal, site_id)
        await _unique(Classroom.filter(site_id=site.id), cleaned, "classroom at this site")
        room = await Classroom.create(site=site, name=cleaned)
        await audit.record(
            principal,
            "classroom.create",
            agency_id=site.agency_id,
            target_type="classroom",
            target_id=room.id,
            data={"before": None, "after": {"name": cleaned, "site_id": str(site.id)}},
        )
    room.site = site
    return room


async def _locked_room(principal: StaffPrincipal, classroom_id: UUID) -> Classroom:
    room = (
        await administered_classrooms(principal)
        .filter(id=classroom_id)
        .select_for_update()
        .select_related("site")
        .first()
    )
    if room is None:
        raise NotFound("Classroom")
    _not_archived(room.archived_at, "classroom", "classroomId")
    return room


async def rename_classroom(principal: StaffPrincipal, classroom_id: UUID, name: str) -> Classroom:
    cleaned = _name(name)
    async with in_transaction():
        room = await _locked_room(principal, classroom_id)
        if room.name == cleaned:
            return room
        if room.name.lower() != cleaned.lower():
            await _unique(
                Classroom.filter(site_id=room.site_id).exclude(id=room.id),
                cleaned,
                "classroom at this site",
            )
        before = room.name
        room.name = cleaned
        await room.save(update_fields=["name"])
        await audit.record(
            principal,
            "classroom.rename",
            agency_id=room.site.agency_id,
            target_type="classroom",
            target_id=room.id,
            data={"before": {"name": before}, "after": {"name": cleaned}},
        )
    return room


async def archive_classroom(
    principal: StaffPrincipal, classroom_id: UUID, *, now: datetime
) -> Classroom:
    """Retire a classroom nobody is enrolled in from today on; its past days stay readable."""
    async with in_transaction():
        room = await _locked_room(principal, classroom_id)
        await _refuse_in_use(
            _current_enrollments(now, room.site).filter(classroom_id=room.id),
            "classroom",
            "classroomId",
        )
        room.archived_at = now
        await room.save(update_fields=["archived_at"])
        await audit.record(
            principal,
            "classroom.archive",
            agency_id=room.site.agency_id,
            target_type="classroom",
            target_id=room.id,
            data={"before": {"archived_at": None}, "after": {"archived_at": now.isoformat()}},
        )
    return room
