"""The state subsidy export: connecting sites, the matching workbench, the report, re-sends."""

from __future__ import annotations

from datetime import date

from models.subsidy import SubsidyAttempt, SubsidyConnection
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome, raising
from services import subsidy, subsidy_matching, subsidy_report
from services.subsidy_days import TransferStatus
from services.subsidy_matching import MatchRow
from services.subsidy_report import ReportDay, StatusCounts


async def connect(
    info: Info, site_id: str, provider_id: str, password: str
) -> Outcome[SubsidyConnection]:
    ctx = info.context
    return await outcome(
        subsidy.connect(
            ctx.staff,
            object_id(site_id, "Site"),
            provider_id,
            password,
            check=ctx.settings.subsidy_check(),
            secret=ctx.settings.secret,
            now=ctx.now(),
        )
    )


async def disconnect(info: Info, site_id: str) -> Outcome[SubsidyConnection]:
    ctx = info.context
    return await outcome(subsidy.disconnect(ctx.staff, object_id(site_id, "Site"), ctx.now()))


async def connection(info: Info, site_id: str) -> SubsidyConnection | None:
    return await raising(
        subsidy.readable_connection(info.context.staff, object_id(site_id, "Site"))
    )


async def workbench(info: Info, site_id: str) -> list[MatchRow]:
    return await raising(subsidy_matching.workbench(info.context.staff, object_id(site_id, "Site")))


async def set_match(
    info: Info, site_id: str, child_id: str, state_id: str | None
) -> Outcome[MatchRow]:
    ctx = info.context
    return await outcome(
        subsidy_matching.set_match(
            ctx.staff,
            object_id(site_id, "Site"),
            object_id(child_id, "Child"),
            state_id,
            ctx.now(),
        )
    )


async def report(
    info: Info,
    site_id: str,
    first: date,
    last: date,
    child_id: str | None,
    status: TransferStatus | None,
) -> list[ReportDay]:
    return await raising(
        subsidy_report.report(
            info.context.staff,
            object_id(site_id, "Site"),
            first,
            last,
            child_id=object_id(child_id, "Child") if child_id else None,
            status=status,
        )
    )


async def counts(info: Info, site_id: str, first: date | None, last: date | None) -> StatusCounts:
    ctx = info.context
    return await raising(
        subsidy_report.counts(ctx.staff, object_id(site_id, "Site"), first, last, ctx.now())
    )


async def transmissions(info: Info, site_id: str, child_id: str, on: date) -> list[SubsidyAttempt]:
    return await raising(
        subsidy_report.transmissions(
            info.context.staff, object_id(site_id, "Site"), object_id(child_id, "Child"), on
        )
    )


async def resend(
    info: Info, site_id: str, first: date, last: date, child_id: str | None
) -> Outcome[int]:
    ctx = info.context
    return await outcome(
        subsidy_report.resend(
            ctx.staff,
            object_id(site_id, "Site"),
            first,
            last,
            object_id(child_id, "Child") if child_id else None,
            ctx.now(),
        )
    )
