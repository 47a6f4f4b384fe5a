"""Offering a place to an application and enrolling it once the family accepted
(the family answers in services/my_applications.py).

Enrolling goes through the agency-setup services (people, enrollments, family_records):
each child is registered and enrolled, Parent/Guardian A and B are added with their
PINs, and the family account the application is linked to is connected to guardian A.
Nothing is typed twice: every name, date and contact comes from the application.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from tortoise.transactions import in_transaction

from auth.principals import StaffPrincipal
from models.family_accounts import GuardianLink
from models.org import Classroom
from models.people import ContactMethod, FamilyAdult, GuardianSlot, Language
from models.waitlist import (
    Application,
    ApplicationLink,
    ApplicationOffer,
    ApplicationSite,
    ApplicationStatus,
)
from services import (
    application_notices,
    applications,
    audit,
    enrollments,
    family_records,
    org,
    people,
)
from services.application_notices import Outbox
from services.applications import ApplicationRow
from services.errors import DomainError, NotFound


class OfferErrorCode(StrEnum):
    """Rule failures of offering a place and enrolling an application."""

    NOT_WAITING = "NOT_WAITING"
    NOT_ACCEPTED = "NOT_ACCEPTED"
    SITE_NOT_DESIRED = "SITE_NOT_DESIRED"
    INVALID_START_DATE = "INVALID_START_DATE"
    NOT_AT_OFFERED_SITE = "NOT_AT_OFFERED_SITE"


OFFERABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED, ApplicationStatus.OFFERED)


async def _locked(principal: StaffPrincipal, application_id: UUID) -> Application:
    """An application the caller reads, locked; checked apart (PostgreSQL locks no
    DISTINCT rows)."""
    if not await applications.readable_applications(principal).filter(id=application_id).exists():
        raise NotFound("Application")
    return await Application.filter(id=application_id).select_for_update().get()


async def _set_status(
    principal: StaffPrincipal, application: Application, status: ApplicationStatus, now: datetime
) -> str:
    before = application.status.value
    application.status = status
    application.updated_at = now
    await application.save(update_fields=["status", "updated_at"])
    return before


@dataclass(frozen=True)
class NewOffer:
    application_id: UUID
    site_id: UUID
    # The first day; the application's desired start (or today, if later) when None.
    starts_on: date | None = None


async def offer(
    principal: StaffPrincipal, new: NewOffer, *, outbox: Outbox, now: datetime
) -> ApplicationRow:
    """Offer a place at one of the desired sites the caller works at; the family is told
    and answers in the app. Offering again replaces the open offer. Audited."""
    site = await org.get_site(principal, new.site_id)
    today = org.local_date(site, now)
    async with in_transaction():
        application = await _locked(principal, new.application_id)
        if application.status not in OFFERABLE:
            raise DomainError(OfferErrorCode.NOT_WAITING, "This application is not waiting.")
        if not await ApplicationSite.exists(application_id=application.id, site_id=site.id):
            raise DomainError(
                OfferErrorCode.SITE_NOT_DESIRED, "Offer one of the sites asked for.", "siteId"
            )
        starts_on = new.starts_on or max(application.desired_start, today)
        if starts_on < today:
            raise DomainError(
                OfferErrorCode.INVALID_START_DATE, "Choose a first day from today on.", "startsOn"
            )
        made = await ApplicationOffer.create(
            application_id=application.id,
            site=site,
            starts_on=starts_on,
            offered_by_id=principal.user_id,
            offered_at=now,
        )
        before = await _set_status(principal, application, ApplicationStatus.OFFERED, now)
        await audit.record(
            principal,
            "application.offer",
            agency_id=principal.agency_id,
            target_type="application",
            target_id=application.id,
            data={
                "offer_id": str(made.id),
                "site_id": str(site.id),
                "starts_on": starts_on.isoformat(),
                "before": {"status": before},
            },
        )
        extra = {"site_name": site.name, "starts_on": starts_on}
        await application_notices.send(
            outbox, application, "application_offer", now=now, extra=extra
        )
    return await applications.application_row(principal, application.id)


@dataclass(frozen=True)
class Enrolling:
    application_id: UUID
    classroom_id: UUID
    # ISO weekdays the children are scheduled for: 1 is Monday.
    weekdays: Sequence[int] = field(default_factory=lambda: (1, 2, 3, 4, 5))


async def _children(
    principal: StaffPrincipal,
    application: Application,
    classroom: Classroom,
    starts_on: date,
    weekdays: Sequence[int],
    now: datetime,
) -> tuple[UUID, list[UUID]]:
    """Each child registered at the classroom's site, in one new family, and enrolled."""
    family_id: UUID | None = None
    child_ids = []
    for given in application.children:
        child = await people.create_child(
            principal,
            people.NewChild(
                site_id=UUID(str(classroom.site_id)),
                first_name=given["first_name"],
                last_name=given["last_name"],
                date_of_birth=date.fromisoformat(given["birth_date"]),
                family_id=family_id,
            ),
            now,
        )
        family_id = UUID(str(child.family_id))
        child_ids.append(child.id)
        await enrollments.enroll_child(
            principal,
            enrollments.NewEnrollment(
                child_id=child.id,
                classroom_id=classroom.id,
                starts_on=starts_on,
                ends_on=None,
                weekdays=weekdays,
                program_id=application.program_id,  # type: ignore[attr-defined]
            ),
        )
    assert family_id is not None
    return family_id, child_ids


async def _guardians(
    principal: StaffPrincipal, application: Application, family_id: UUID, outbox: Outbox
) -> list[FamilyAdult]:
    """Parent/Guardian A and B from the application, each with a fresh PIN."""
    added = []
    for slot, given in zip(GuardianSlot, application.guardians, strict=False):
        preferred = ContactMethod(application.contact_method)
        if slot is not GuardianSlot.A and not given.get("email"):
            preferred = ContactMethod.SMS
        details = family_records.AdultDetails(
            first_name=given["first_name"],
            last_name=given["last_name"],
            email=given.get("email"),
            phone=given.get("phone"),
            preferred_contact=preferred,
            language=Language(application.language),
        )
        added.append(
            await family_records.add_guardian(principal, family_id, slot, details, outbox.secret)
        )
    return added


async def _open_classroom(principal: StaffPrincipal, classroom_id: UUID) -> Classroom:
    return enrollments.open_classroom(await org.get_classroom(principal, classroom_id))


async def enroll(
    principal: StaffPrincipal, given: Enrolling, *, outbox: Outbox, now: datetime
) -> ApplicationRow:
    """An accepted application becomes a family, its children enrolled in the classroom
    from the offered first day, and its guardians; the linked account reaches guardian A."""
    classroom = await _open_classroom(principal, given.classroom_id)
    async with in_transaction():
        application = await _locked(principal, given.application_id)
        offered = (await applications.latest_offers([application.id])).get(application.id)
        if application.status is not ApplicationStatus.ACCEPTED or offered is None:
            # ACCEPTED is reached only by answering an offer (changeApplication refuses it).
            raise DomainError(OfferErrorCode.NOT_ACCEPTED, "The family has not accepted.")
        if offered.site_id != classroom.site_id:
            raise DomainError(
                OfferErrorCode.NOT_AT_OFFERED_SITE,
                "Choose a classroom at the offered site.",
                "classroomId",
            )
        starts_on = offered.starts_on
        family_id, child_ids = await _children(
            principal, application, classroom, starts_on, given.weekdays, now
        )
        adults = await _guardians(principal, application, family_id, outbox)
        link = await ApplicationLink.filter(application_id=application.id).first()
        if link is not None and adults:
            await GuardianLink.create(account_id=link.account_id, adult=adults[0])
        await ApplicationOffer.filter(id=offered.id).update(family_id=family_id)
        await _set_status(principal, application, ApplicationStatus.ENROLLED, now)
        await audit.record(
            principal,
            "application.enroll",
            agency_id=principal.agency_id,
            target_type="application",
            target_id=application.id,
            data={
                "family_id": str(family_id),
                "child_ids": [str(c) for c in child_ids],
                "guardian_ids": [str(a.id) for a in adults],
                "classroom_id": str(classroom.id),
                "account_id": str(link.account_id) if link else None,
            },
        )
        await application_notices.status_changed(outbox, application, now=now)
    return await applications.application_row(principal, application.id)
