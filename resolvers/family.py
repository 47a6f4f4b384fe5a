"""Family accounts, invitations and the parent's own views: thin calls into the services."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from auth.principals import ParentPrincipal, is_parent
from models.org import Agency
from models.people import Child, ContactMethod
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome, raising
from services import family, guardian_list, invitations, parent_views
from services.guardian_list import GuardianRow, OnlineState
from services.invitations import InviteResult
from services.rosters import RosterEntry


def _parent(info: Info) -> ParentPrincipal:
    principal = info.context.principal
    assert is_parent(principal), "field must declare IsParent"
    return principal


def _policy(info: Info) -> family.AccountPolicy:
    ctx = info.context
    return family.AccountPolicy(
        secret=ctx.settings.secret,
        throttle=ctx.throttle_policy,
        session_lifetime=timedelta(hours=ctx.settings.session_lifetime_hours),
    )


# --- staff ----------------------------------------------------------------------------------


async def guardians(
    info: Info,
    site_id: str,
    classroom_id: str | None,
    state: OnlineState | None,
    program_id: str | None = None,
) -> list[GuardianRow]:
    ctx = info.context
    room = object_id(classroom_id, "Classroom") if classroom_id is not None else None
    program = object_id(program_id, "Program") if program_id is not None else None
    return await raising(
        guardian_list.guardians(
            ctx.staff, object_id(site_id, "Site"), room, state, ctx.now(), program
        )
    )


async def invite(
    info: Info, guardian_ids: list[str], method: ContactMethod | None
) -> Outcome[list[InviteResult]]:
    ctx = info.context
    return await outcome(
        invitations.invite(
            ctx.staff,
            guardian_ids,
            secret=ctx.settings.secret,
            base_url=ctx.settings.base_url,
            hourly_cap=ctx.settings.notification_destination_hourly_cap,
            now=ctx.now(),
            method=method,
        )
    )


async def unlink(info: Info, guardian_id: str) -> Outcome[GuardianRow]:
    ctx = info.context
    return await outcome(
        invitations.unlink(
            ctx.staff, object_id(guardian_id, "Guardian"), bus=ctx.bus, now=ctx.now()
        )
    )


# --- anyone ---------------------------------------------------------------------------------


async def register(info: Info, code: str, login: str, password: str) -> Outcome[str]:
    ctx = info.context
    return await outcome(
        family.register(ctx.principal, code, login, password, policy=_policy(info), now=ctx.now())
    )


async def login(info: Info, login: str, password: str) -> Outcome[str]:
    ctx = info.context
    return await outcome(
        family.login(ctx.principal, login, password, policy=_policy(info), now=ctx.now())
    )


async def request_password_reset(info: Info, login: str) -> None:
    ctx = info.context
    await raising(
        family.request_password_reset(
            ctx.principal,
            login,
            secret=ctx.settings.secret,
            now=ctx.now(),
            hourly_cap=ctx.settings.notification_destination_hourly_cap,
        )
    )


async def reset_password(info: Info, login: str, code: str, new_password: str) -> Outcome[str]:
    ctx = info.context
    return await outcome(
        family.reset_password(
            ctx.principal,
            login,
            code,
            new_password,
            policy=_policy(info),
            bus=ctx.bus,
            now=ctx.now(),
        )
    )


# --- parents --------------------------------------------------------------------------------


async def logout(info: Info) -> None:
    await family.logout(_parent(info), info.context.bus, info.context.now())


async def add_connection(info: Info, code: str) -> Outcome[Agency]:
    ctx = info.context
    return await outcome(
        family.add_connection(_parent(info), code, policy=_policy(info), now=ctx.now())
    )


async def children(info: Info) -> list[tuple[Child, parent_views.FamilyDay | None]]:
    """The parent's children, each with their day so far (a few queries for all)."""
    kids = await parent_views.own_children(_parent(info))
    days = await parent_views.days_today(kids, info.context.now())
    return [(kid, days.get(str(kid.id))) for kid in kids]


async def today(info: Info, child: Child) -> parent_views.FamilyDay | None:
    return await parent_views.day_today(_parent(info), child.id, info.context.now())


async def history(info: Info, child: Child, start: date, end: date) -> list[parent_views.FamilyDay]:
    return await raising(parent_views.history(_parent(info), child.id, start, end))


async def report_absence(
    info: Info, child_id: str, on: date, reason: str, client_mutation_id: UUID | None = None
) -> Outcome[RosterEntry]:
    ctx = info.context
    return await outcome(
        parent_views.report_absence(
            _parent(info),
            object_id(child_id, "Child"),
            on,
            reason,
            bus=ctx.bus,
            now=ctx.now(),
            client_mutation_id=client_mutation_id,
        )
    )
