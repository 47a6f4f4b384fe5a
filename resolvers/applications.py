"""Waitlist applications: the public form, staff lists and changes, questions and flags."""

from __future__ import annotations

from auth.principals import ParentPrincipal, is_parent
from models.people import ContactMethod
from models.waitlist import Application, ApplicationQuestion, PriorityFlag
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome, raising
from services import (
    application_accounts,
    application_offers,
    application_setup,
    applications,
    my_applications,
)
from services.application_accounts import AccountResult
from services.application_forms import ApplicationEntry
from services.application_notices import Outbox
from services.application_offers import Enrolling, NewOffer
from services.application_setup import ApplicationForm, QuestionEntry
from services.applications import ApplicationChange, ApplicationFilter, ApplicationRow
from services.my_applications import ContactChange, FamilyApplication


def outbox(info: Info) -> Outbox:
    """Where application messages go out from: the key, the public links, the cap."""
    s = info.context.settings
    return Outbox(s.secret, s.base_url, s.notification_destination_hourly_cap)


async def application_form(info: Info, agency_id: str) -> ApplicationForm:
    return await raising(application_setup.application_form(object_id(agency_id, "Agency")))


async def submit_application(
    info: Info, agency_id: str, entry: ApplicationEntry
) -> Outcome[Application]:
    ctx = info.context
    return await outcome(
        applications.submit_public(
            ctx.principal,
            object_id(agency_id, "Agency"),
            entry,
            outbox=outbox(info),
            now=ctx.now(),
        )
    )


async def enter_application(info: Info, entry: ApplicationEntry) -> Outcome[ApplicationRow]:
    ctx = info.context
    return await outcome(
        applications.submit_for_family(ctx.staff, entry, outbox=outbox(info), now=ctx.now())
    )


async def search(info: Info, given: ApplicationFilter) -> list[ApplicationRow]:
    return await raising(applications.search(info.context.staff, given))


async def application(info: Info, application_id: str) -> ApplicationRow:
    ctx = info.context
    return await raising(
        applications.application_row(ctx.staff, object_id(application_id, "Application"))
    )


async def change_application(
    info: Info, application_id: str, change: ApplicationChange
) -> Outcome[ApplicationRow]:
    ctx = info.context
    return await outcome(
        applications.change_application(
            ctx.staff,
            object_id(application_id, "Application"),
            change,
            outbox=outbox(info),
            now=ctx.now(),
        )
    )


async def questions(info: Info) -> list[ApplicationQuestion]:
    return await application_setup.questions(info.context.principal)


async def priority_flags(info: Info) -> list[PriorityFlag]:
    return await application_setup.priority_flags(info.context.principal)


async def define_question(info: Info, entry: QuestionEntry) -> Outcome[ApplicationQuestion]:
    ctx = info.context
    return await outcome(application_setup.define_question(ctx.staff, entry, now=ctx.now()))


async def define_priority_flag(info: Info, name: str, rank: int) -> Outcome[PriorityFlag]:
    ctx = info.context
    return await outcome(
        application_setup.define_priority_flag(ctx.staff, name, rank, now=ctx.now())
    )


# --- online accounts, offers and enrollment (staff) --------------------------------------


async def invite(
    info: Info, application_ids: list[str], method: ContactMethod | None
) -> Outcome[list[AccountResult]]:
    ctx = info.context
    return await outcome(
        application_accounts.invite(
            ctx.staff, application_ids, method=method, outbox=outbox(info), now=ctx.now()
        )
    )


async def unlink(info: Info, application_ids: list[str]) -> Outcome[list[AccountResult]]:
    ctx = info.context
    return await outcome(
        application_accounts.unlink(ctx.staff, application_ids, outbox=outbox(info), now=ctx.now())
    )


async def offer(info: Info, new: NewOffer) -> Outcome[ApplicationRow]:
    ctx = info.context
    return await outcome(
        application_offers.offer(ctx.staff, new, outbox=outbox(info), now=ctx.now())
    )


async def enroll(info: Info, given: Enrolling) -> Outcome[ApplicationRow]:
    ctx = info.context
    return await outcome(
        application_offers.enroll(ctx.staff, given, outbox=outbox(info), now=ctx.now())
    )


# --- the family's own applications ---------------------------------------------------------


def _parent(info: Info) -> ParentPrincipal:
    principal = info.context.principal
    assert is_parent(principal), "field must declare IsParent"
    return principal


async def mine(info: Info) -> list[FamilyApplication]:
    return await my_applications.my_applications(_parent(info))


async def update_contact(
    info: Info, application_id: str, change: ContactChange
) -> Outcome[FamilyApplication]:
    return await outcome(
        my_applications.update_contact(
            _parent(info),
            object_id(application_id, "Application"),
            change,
            now=info.context.now(),
        )
    )


async def withdraw(info: Info, application_id: str) -> Outcome[FamilyApplication]:
    return await outcome(
        my_applications.withdraw(
            _parent(info),
            object_id(application_id, "Application"),
            outbox=outbox(info),
            now=info.context.now(),
        )
    )


async def answer_offer(info: Info, application_id: str, accept: bool) -> Outcome[FamilyApplication]:
    return await outcome(
        my_applications.answer_offer(
            _parent(info),
            object_id(application_id, "Application"),
            accept,
            outbox=outbox(info),
            now=info.context.now(),
        )
    )
