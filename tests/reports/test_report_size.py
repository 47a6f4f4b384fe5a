"""A 200-child site over a month: every child-day is in the report, page after page.

How long it takes is measured by ``python -m bench.reports`` (goal: under 10 s), never
here: a timed test fails on a loaded machine and proves nothing on a fast one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bench.report_month import CHILDREN, write_month
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.reports.helpers import ask, fetch, page_count, pdf_text
from tests.world import World


async def test_a_200_child_month_reports_every_child_on_paginated_pages(
    gql: GraphQLClient, world: World
) -> None:
    gql.clock.set(datetime(2026, 4, 1, 15, tzinfo=UTC))
    await write_month(world.site, world.teacher.id)
    viewer = await make.token_for(world.viewer)
    payload = await ask(
        gql, viewer, "attendanceReport", siteId=str(world.site.id), format="PDF",
        **{"from": "2026-03-01", "to": "2026-03-31"},
    )  # fmt: skip
    assert payload["errors"] == []
    body = await fetch(gql, payload["download"]["url"])
    assert page_count(body) > 100
    text = pdf_text(body)
    assert all(f"Child{i:03}" in text for i in range(CHILDREN))
