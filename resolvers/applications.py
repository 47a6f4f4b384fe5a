"""Waitlist applications: the public form, staff lists and changes, questions and flags."""

from __future__ import annotations

from models.waitlist import Application, ApplicationQuestion, PriorityFlag
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome, raising
from services import application_setup, applications
from services.application_forms import ApplicationEntry
from services.application_setup import ApplicationForm, QuestionEntry
from services.applications import ApplicationChange, ApplicationFilter, ApplicationRow


async def application_form(info: Info, agency_id: str) -> ApplicationForm:
    return await raising(application_setup.application_form(object_id(agency_id, "Agency")))


async def submit_application(
    info: Info, agency_id: str, entry: ApplicationEntry
) -> Outcome[Application]:
    ctx = info.context
    return await outcome(
        applications.submit_public(
            ctx.principal, object_id(agency_id, "Agency"), entry, now=ctx.now()
        )
    )


async def enter_application(info: Info, entry: ApplicationEntry) -> Outcome[ApplicationRow]:
    ctx = info.context
    return await outcome(applications.submit_for_family(ctx.staff, entry, now=ctx.now()))


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
            ctx.staff, object_id(application_id, "Application"), change, now=ctx.now()
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
