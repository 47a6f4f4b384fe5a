"""What a family account reads and does with the applications linked to it: their status
and waitlist positions, the first guardian's contact details, withdrawing, and answering
an offer of a place. Another family's application, or a missing one, is NOT_FOUND."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import ParentPrincipal
from models.org import Agency, Site
from models.people import ContactMethod, Language
from models.waitlist import Application, ApplicationOffer, ApplicationSite, ApplicationStatus
from services import application_forms, application_notices, audit
from services.application_forms import ApplicationFormErrorCode, GuardianEntry
from services.application_notices import Outbox
from services.errors import DomainError, DomainErrors, NotFound
from services.waitlist_positions import positions_of


class MyApplicationErrorCode(StrEnum):
    """Rule failures of a family's own application changes."""

    NOT_OPEN = "NOT_OPEN"
    NOT_OFFERED = "NOT_OFFERED"


WITHDRAWABLE = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.OFFERED,
    ApplicationStatus.ACCEPTED,
)


@dataclass(frozen=True)
class FamilyApplication:
    application: Application
    agency_name: str
    # Every desired site with its place on the waitlist (None once it no longer waits).
    sites: list[tuple[Site, int | None]]
    offer: ApplicationOffer | None


def own_applications(principal: ParentPrincipal) -> QuerySet[Application]:
    """Only the applications linked to the caller's account."""
    return Application.filter(account_link__account_id=principal.account_id)


async def _views(found: list[Application]) -> list[FamilyApplication]:
    """Each application with its agency, desired sites, positions and latest offer."""
    ids = [a.id for a in found]
    agencies = {
        a.id: a.name
        for a in await Agency.filter(id__in=[x.agency_id for x in found])  # type: ignore[attr-defined]
    }
    links = (
        await ApplicationSite.filter(application_id__in=ids).select_related("site").order_by("id")
    )
    offers: dict[UUID, ApplicationOffer] = {}
    for made in (
        await ApplicationOffer.filter(application_id__in=ids)
        .select_related("site")
        .order_by("offered_at")
    ):
        offers[made.application_id] = made  # type: ignore[index]  # the latest wins
    positions = await positions_of(found)
    return [
        FamilyApplication(
            a,
            agencies[a.agency_id],  # type: ignore[attr-defined]
            [
                (link.site, positions.get(a.id, {}).get(link.site.id))
                for link in links
                if link.application_id == a.id  # type: ignore[attr-defined]
            ],
            offers.get(a.id),
        )
        for a in found
    ]


async def my_applications(principal: ParentPrincipal) -> list[FamilyApplication]:
    """The account's applications, newest first."""
    return await _views(await own_applications(principal).order_by("-submitted_at"))


async def _view(application_id: UUID) -> FamilyApplication:
    return (await _views([await Application.get(id=application_id)]))[0]


async def _locked(principal: ParentPrincipal, application_id: UUID) -> Application:
    application = (
        await own_applications(principal).select_for_update().get_or_none(id=application_id)
    )
    if application is None:
        raise NotFound("Application")
    return application


async def _audit_change(
    principal: ParentPrincipal, application: Application, action: str, data: dict[str, object]
) -> None:
    await audit.record(
        principal,
        action,
        agency_id=application.agency_id,  # type: ignore[attr-defined]
        target_type="application",
        target_id=application.id,
        on_behalf_of=("PARENT", principal.account_id),
        data=data,
    )


@dataclass(frozen=True)
class ContactChange:
    """The first guardian's email and phone (an empty one clears it), the language and
    the preferred contact method; None leaves a value as it is."""

    email: str | None = None
    phone: str | None = None
    language: Language | None = None
    contact_method: ContactMethod | None = None


def _checked_guardian(application: Application, change: ContactChange) -> dict[str, str]:
    """The first guardian's record with the new contact, checked like the form's."""
    first = dict(application.guardians[0])
    given = GuardianEntry(
        first["first_name"],
        first["last_name"],
        first.get("email") if change.email is None else change.email,
        first.get("phone") if change.phone is None else change.phone,
    )
    errors: list[DomainError] = []
    contact = application_forms.contact_of(given, 0, errors)
    method = change.contact_method or ContactMethod(application.contact_method)
    wanted = "email" if method is ContactMethod.EMAIL else "phone"
    if not errors and wanted not in contact:
        errors.append(
            DomainError(
                ApplicationFormErrorCode.NO_CONTACT,
                "Give the contact your preferred method needs.",
                wanted,
            )
        )
    if errors:
        raise DomainErrors(errors)
    return {"first_name": first["first_name"], "last_name": first["last_name"]} | contact


async def update_contact(
    principal: ParentPrincipal, application_id: UUID, change: ContactChange, *, now: datetime
) -> FamilyApplication:
    """The family keeps its contact details current; audited with before and after."""
    async with in_transaction():
        application = await _locked(principal, application_id)
        before = {
            "guardian": application.guardians[0],
            "language": application.language.value,
            "contact_method": application.contact_method.value,
        }
        application.guardians = [_checked_guardian(application, change), *application.guardians[1:]]
        application.language = change.language or application.language
        application.contact_method = change.contact_method or application.contact_method
        after = {
            "guardian": application.guardians[0],
            "language": application.language.value,
            "contact_method": application.contact_method.value,
        }
        if after != before:
            application.updated_at = now
            await application.save(
                update_fields=["guardians", "language", "contact_method", "updated_at"]
            )
            await _audit_change(
                principal,
                application,
                "application.update_contact",
                {"before": before, "after": after},
            )
    return await _view(application_id)


async def _move(
    principal: ParentPrincipal,
    application_id: UUID,
    allowed: tuple[ApplicationStatus, ...],
    refusal: DomainError,
    status: ApplicationStatus,
    action: str,
    outbox: Outbox,
    now: datetime,
) -> FamilyApplication:
    """One status step the family takes, audited and confirmed to them."""
    async with in_transaction():
        application = await _locked(principal, application_id)
        if application.status not in allowed:
            raise refusal
        before = application.status.value
        application.status = status
        application.updated_at = now
        await application.save(update_fields=["status", "updated_at"])
        if status is not ApplicationStatus.WITHDRAWN:
            await _answer_latest_offer(application, status, refusal, now)
        await _audit_change(
            principal,
            application,
            action,
            {"before": {"status": before}, "after": {"status": status.value}},
        )
        await application_notices.status_changed(outbox, application, now=now)
    return await _view(application_id)


async def _answer_latest_offer(
    application: Application, status: ApplicationStatus, refusal: DomainError, now: datetime
) -> None:
    """The answer goes on the offer the family sees, the latest: an offer replaced by a
    later one was never answered, and its record must not say it was."""
    latest = (
        await ApplicationOffer.filter(application_id=application.id, answered_at__isnull=True)
        .order_by("-offered_at")
        .first()
    )
    if latest is None:
        raise refusal  # an answer needs an open offer record
    latest.answered_at = now
    latest.accepted = status is ApplicationStatus.ACCEPTED
    await latest.save(update_fields=["answered_at", "accepted"])


async def withdraw(
    principal: ParentPrincipal, application_id: UUID, *, outbox: Outbox, now: datetime
) -> FamilyApplication:
    """Withdraw an application not yet enrolled, declined or withdrawn."""
    refusal = DomainError(MyApplicationErrorCode.NOT_OPEN, "This application is closed.")
    return await _move(
        principal,
        application_id,
        WITHDRAWABLE,
        refusal,
        ApplicationStatus.WITHDRAWN,
        "application.withdraw",
        outbox,
        now,
    )


async def answer_offer(
    principal: ParentPrincipal, application_id: UUID, accept: bool, *, outbox: Outbox, now: datetime
) -> FamilyApplication:
    """Accept or decline the place offered; staff then enroll an accepted application."""
    refusal = DomainError(MyApplicationErrorCode.NOT_OFFERED, "No place is offered now.")
    status = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.DECLINED
    action = "application.accept" if accept else "application.decline"
    return await _move(
        principal,
        application_id,
        (ApplicationStatus.OFFERED,),
        refusal,
        status,
        action,
        outbox,
        now,
    )
