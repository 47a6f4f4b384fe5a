"""Waitlist applications: families apply on the public form (no account, rate-limited per
address) or staff enter one for them; staff with Students view list and search them with
their waitlist positions; Students edit changes status and priority flags (audited).

The public form never tells whether a family or an application already exists: every
well-formed form makes a new application, and every answer looks the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.functions import Max
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import Grant, Principal, StaffPrincipal, is_staff
from models.org import Agency
from models.waitlist import (
    NUMBER_PREFIX,
    Application,
    ApplicationOffer,
    ApplicationSite,
    ApplicationStatus,
    PriorityFlag,
)
from services import application_forms, application_links, application_notices, audit, throttle
from services.application_forms import ApplicationEntry, CheckedForm
from services.application_notices import Outbox
from services.errors import DomainError, InvalidInput, NotFound
from services.guardian_list import OnlineAccount
from services.ids import parse_id
from services.waitlist_positions import positions_of


class ApplicationsErrorCode(StrEnum):
    """Rule failures of submitting and changing applications."""

    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    FINAL_STATUS = "FINAL_STATUS"
    UNKNOWN_PRIORITY = "UNKNOWN_PRIORITY"
    USE_ENROLL_APPLICATION = "USE_ENROLL_APPLICATION"
    USE_OFFER_APPLICATION_PLACE = "USE_OFFER_APPLICATION_PLACE"
    FAMILY_ANSWERS_OFFER = "FAMILY_ANSWERS_OFFER"


# Per address: a family filling in the form twice is fine, a script is not.
PUBLIC_LIMIT = 5
PUBLIC_WINDOW = timedelta(hours=1)
MAX_RESULTS = 200


@dataclass(frozen=True)
class ApplicationRow:
    application: Application
    site_ids: list[UUID]
    # Place on the waitlist of each desired site for the application's program, 1 first;
    # only while SUBMITTED or WAITLISTED.
    positions: dict[UUID, int]
    # The Online Account column: INVITE, REINVITE, or the linked login (REGISTERED).
    account: OnlineAccount
    # The latest place offered, with its site and the staff member who offered it.
    offer: ApplicationOffer | None = None


class OfferAnswer(StrEnum):
    """The family's answer to an offer."""

    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


async def latest_offers(ids: list[UUID]) -> dict[UUID, ApplicationOffer]:
    """Each application's latest offer, with its site and who offered it."""
    offers: dict[UUID, ApplicationOffer] = {}
    for made in (
        await ApplicationOffer.filter(application_id__in=ids)
        .select_related("site", "offered_by")
        .order_by("offered_at", "id")
    ):
        offers[made.application_id] = made  # type: ignore[index]  # the latest wins
    return offers


@dataclass(frozen=True)
class ApplicationFilter:
    search: str | None = None
    site_id: UUID | None = None
    program_id: UUID | None = None
    status: ApplicationStatus | None = None


def readable_applications(principal: Principal) -> QuerySet[Application]:
    """Staff with Students view: applications of their agency asking for one of their sites."""
    if is_staff(principal) and principal.has(Grant.VIEW_STUDENTS):
        return Application.filter(
            agency_id=principal.agency_id, sites__site_id__in=list(principal.site_ids)
        ).distinct()
    return Application.filter(id__in=[])


async def _next_number(agency_id: UUID) -> int:
    """Numbers count up per agency; the agency row lock makes two submissions take turns."""
    await Agency.filter(id=agency_id).select_for_update().first()
    found = await Application.filter(agency_id=agency_id).annotate(top=Max("number")).values("top")
    top = found[0]["top"] if found else None
    return int(top or 0) + 1


async def _create(
    principal: Principal,
    agency_id: UUID,
    entry: ApplicationEntry,
    form: CheckedForm,
    outbox: Outbox,
    now: datetime,
) -> Application:
    """The application, its sites, its audit entry and the family's invitation, in one
    transaction."""
    async with in_transaction():
        application = await Application.create(
            agency_id=agency_id,
            number=await _next_number(agency_id),
            family_name=form.guardians[0]["last_name"],
            children=form.children,
            guardians=form.guardians,
            language=entry.language,
            contact_method=entry.contact_method,
            desired_start=entry.desired_start,
            program=form.program,
            answers=form.answers,
            submitted_by_id=principal.user_id if is_staff(principal) else None,
            submitted_at=now,
            updated_at=now,
        )
        await ApplicationSite.bulk_create(
            [ApplicationSite(application=application, site=site) for site in form.sites]
        )
        await audit.record(
            principal,
            "application.submit",
            agency_id=agency_id,
            target_type="application",
            target_id=application.id,
            data={"number": application.display_number, "sites": len(form.sites)},
        )
        await application_links.invite_on_submit(principal, application, outbox, now)
    return application


async def _today(agency_id: UUID, now: datetime) -> tuple[Agency, datetime]:
    agency = await Agency.get_or_none(id=agency_id)
    if agency is None:
        raise NotFound("Agency")
    return agency, now.astimezone(ZoneInfo(agency.timezone))


async def submit_public(
    principal: Principal, agency_id: UUID, entry: ApplicationEntry, *, outbox: Outbox, now: datetime
) -> Application:
    """The public form: counted against the caller's address before anything is read."""
    if not await throttle.take(
        f"application:ip:{principal.ip_address}", PUBLIC_LIMIT, PUBLIC_WINDOW, now
    ):
        raise DomainError(
            ApplicationsErrorCode.TOO_MANY_ATTEMPTS,
            "Too many applications from this address. Try again later.",
        )
    agency, local = await _today(agency_id, now)
    form = await application_forms.check(agency.id, entry, local.date())
    return await _create(principal, agency.id, entry, form, outbox, now)


async def submit_for_family(
    principal: StaffPrincipal, entry: ApplicationEntry, *, outbox: Outbox, now: datetime
) -> ApplicationRow:
    """Staff enter a family's application; only for the sites they work at."""
    agency, local = await _today(principal.agency_id, now)
    reachable = [str(s) for s in principal.site_ids]
    if any(s not in reachable for s in entry.site_ids):
        raise DomainError(
            application_forms.ApplicationFormErrorCode.UNKNOWN_SITE,
            "Choose sites you work at.",
            "siteIds",
        )
    form = await application_forms.check(agency.id, entry, local.date())
    application = await _create(principal, agency.id, entry, form, outbox, now)
    return await application_row(principal, application.id)


def _filtered(principal: StaffPrincipal, given: ApplicationFilter) -> QuerySet[Application]:
    query = readable_applications(principal)
    if given.site_id is not None:
        query = query.filter(sites__site_id=given.site_id)
    if given.program_id is not None:
        query = query.filter(program_id=given.program_id)
    if given.status is not None:
        query = query.filter(status=given.status)
    text = (given.search or "").strip()
    if text:
        digits = text.upper().removeprefix(NUMBER_PREFIX).lstrip("0")
        by_number = Q(number=int(digits)) if digits.isdigit() and len(digits) < 9 else Q(id__in=[])
        query = query.filter(by_number | Q(family_name__icontains=text))
    return query


async def search(principal: StaffPrincipal, given: ApplicationFilter) -> list[ApplicationRow]:
    """Newest first, by number or family name, site, program and status, with positions."""
    if given.search is not None and len(given.search) > 100:
        raise InvalidInput("Search for at most 100 characters.", "search")
    found = await _filtered(principal, given).order_by("-number").limit(MAX_RESULTS)
    return await _rows(principal, found)


async def _rows(principal: StaffPrincipal, found: list[Application]) -> list[ApplicationRow]:
    """Each application with the sites it asks for the caller can see, and its positions."""
    links = await ApplicationSite.filter(
        application_id__in=[a.id for a in found], site_id__in=list(principal.site_ids)
    ).order_by("id")
    sites: dict[UUID, list[UUID]] = {}
    for link in links:
        sites.setdefault(link.application_id, []).append(link.site_id)  # type: ignore[attr-defined]
    positions = await positions_of(found)
    accounts = await application_links.account_states([a.id for a in found])
    offers = await latest_offers([a.id for a in found])
    return [
        ApplicationRow(
            a,
            sites.get(a.id, []),
            {s: p for s, p in positions.get(a.id, {}).items() if s in sites.get(a.id, [])},
            accounts[a.id],
            offers.get(a.id),
        )
        for a in found
    ]


async def rows_for(principal: StaffPrincipal, ids: list[UUID]) -> dict[UUID, ApplicationRow]:
    """The rows of the applications given that the caller reads."""
    found = await readable_applications(principal).filter(id__in=ids)
    return {row.application.id: row for row in await _rows(principal, found)}


async def application_row(principal: StaffPrincipal, application_id: UUID) -> ApplicationRow:
    application = await readable_applications(principal).get_or_none(id=application_id)
    if application is None:
        raise NotFound("Application")
    return (await _rows(principal, [application]))[0]


async def _flags(principal: StaffPrincipal, flag_ids: list[str]) -> list[PriorityFlag]:
    """The agency's own flags; any other ID (malformed, foreign, missing) is refused."""
    wanted = list(dict.fromkeys(flag_ids))
    try:
        ids = [parse_id(f, "PriorityFlag") for f in wanted]
    except NotFound:
        ids = []
    flags = await PriorityFlag.filter(agency_id=principal.agency_id, id__in=ids)
    if len(flags) != len(wanted):
        raise DomainError(
            ApplicationsErrorCode.UNKNOWN_PRIORITY,
            "Choose your agency's priorities.",
            "priorityFlagIds",
        )
    return flags


def _check_move(current: ApplicationStatus, wanted: ApplicationStatus) -> None:
    """Enrolled is final, and OFFERED, ACCEPTED and ENROLLED each have their own mutation,
    so an offer record always backs them."""
    if current is ApplicationStatus.ENROLLED:
        raise DomainError(
            ApplicationsErrorCode.FINAL_STATUS, "This application is enrolled.", "status"
        )
    if wanted is ApplicationStatus.OFFERED:
        raise DomainError(
            ApplicationsErrorCode.USE_OFFER_APPLICATION_PLACE,
            "Offer a place with offerApplicationPlace.",
            "status",
        )
    if wanted is ApplicationStatus.ACCEPTED:
        raise DomainError(
            ApplicationsErrorCode.FAMILY_ANSWERS_OFFER,
            "The family accepts an offer in the app (answerApplicationOffer).",
            "status",
        )
    if wanted is ApplicationStatus.ENROLLED:
        raise DomainError(
            ApplicationsErrorCode.USE_ENROLL_APPLICATION,
            "Enroll an accepted application with enrollApplication.",
            "status",
        )


@dataclass(frozen=True)
class ApplicationChange:
    status: ApplicationStatus | None = None
    priority_flag_ids: list[str] | None = None


async def change_application(
    principal: StaffPrincipal,
    application_id: UUID,
    change: ApplicationChange,
    *,
    outbox: Outbox,
    now: datetime,
) -> ApplicationRow:
    """Students edit sets status and priorities; an enrolled application is final, and
    OFFERED, ACCEPTED and ENROLLED are reached only through the offer, the family's answer
    and enrollApplication, so an offered site and first day always back them. Audited with
    before and after; a new status is sent to the family."""
    flags = (
        None
        if change.priority_flag_ids is None
        else await _flags(principal, change.priority_flag_ids)
    )
    async with in_transaction():
        # Checked apart: PostgreSQL locks no rows of a DISTINCT query.
        if not await readable_applications(principal).filter(id=application_id).exists():
            raise NotFound("Application")
        application = await Application.filter(id=application_id).select_for_update().get()
        before = {
            "status": application.status.value,
            "priority_flag_ids": application.priority_flag_ids,
        }
        if change.status is not None and change.status is not application.status:
            _check_move(application.status, change.status)
            application.status = change.status
        if flags is not None:
            application.priority_flag_ids = sorted(str(f.id) for f in flags)
            application.priority_rank = min((f.rank for f in flags), default=None)
        after = {
            "status": application.status.value,
            "priority_flag_ids": application.priority_flag_ids,
        }
        if after != before:
            application.updated_at = now
            await application.save()
            await audit.record(
                principal,
                "application.change",
                agency_id=principal.agency_id,
                target_type="application",
                target_id=application.id,
                data={"before": before, "after": after},
            )
            if after["status"] != before["status"]:
                await application_notices.status_changed(outbox, application, now=now)
    return await application_row(principal, application_id)
