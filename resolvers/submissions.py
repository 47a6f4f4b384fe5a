"""Attendance submission: staff send a period to families, who open it by link and sign."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import date
from typing import TypeVar

from graphql import GraphQLError

from models.people import ContactMethod
from models.signatures import SubmissionRequest
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome, raising
from services import submission_links, submissions
from services.errors import DomainError

T = TypeVar("T")


async def _refusing(call: Awaitable[T]) -> T:
    """For the link's query: a refused link is a GraphQL error with the rule's code."""
    try:
        return await raising(call)
    except DomainError as e:
        raise GraphQLError(e.message, extensions={"code": e.code}) from None


# --- staff ----------------------------------------------------------------------------------


async def submit(
    info: Info, site_id: str, start: date, end: date
) -> Outcome[submissions.SubmitResult]:
    ctx = info.context
    return await outcome(
        submissions.submit(
            ctx.staff,
            object_id(site_id, "Site"),
            start,
            end,
            secret=ctx.settings.secret,
            base_url=ctx.settings.base_url,
            now=ctx.now(),
            hourly_cap=ctx.settings.notification_destination_hourly_cap,
        )
    )


async def listed(info: Info, site_id: str) -> list[submissions.SubmissionView]:
    ctx = info.context
    return await raising(
        submissions.submissions(ctx.staff, object_id(site_id, "Site"), now=ctx.now())
    )


# --- anyone holding the link ----------------------------------------------------------------


async def request_code(info: Info, token: str, channel: ContactMethod) -> None:
    ctx = info.context
    await raising(
        submission_links.request_code(
            ctx.principal,
            token,
            channel,
            secret=ctx.settings.secret,
            now=ctx.now(),
            hourly_cap=ctx.settings.notification_destination_hourly_cap,
        )
    )


async def verify_code(info: Info, token: str, code: str) -> Outcome[None]:
    ctx = info.context
    return await outcome(
        submission_links.verify_code(
            ctx.principal, token, code, secret=ctx.settings.secret, now=ctx.now()
        )
    )


async def review(info: Info, token: str) -> submission_links.Review:
    ctx = info.context
    return await _refusing(
        submission_links.review(ctx.principal, token, secret=ctx.settings.secret, now=ctx.now())
    )


async def sign(
    info: Info, token: str, strokes: Sequence[Sequence[Sequence[float]]], certified: bool
) -> Outcome[SubmissionRequest]:
    ctx = info.context
    return await outcome(
        submission_links.sign(
            ctx.principal, token, strokes, certified, secret=ctx.settings.secret, now=ctx.now()
        )
    )
