"""Part 1: a 40-child roster through GraphQL vs. a plain JSON endpoint.

Both paths resolve the same bearer token (``auth.sessions.resolve``), load the classroom
through ``services.org.get_classroom`` and the roster through ``services.rosters.roster``
(the same SQL), and return the same JSON document. What remains is the cost of the
GraphQL layer: parsing, validation, the document limits, permission classes, resolver
dispatch per field and result serialisation. Both run in this process through
``httpx.ASGITransport``, so no network is involved.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from auth import sessions
from auth.principals import Grant, is_staff
from auth.tokens import bearer_token
from bench.fixture import Fixture
from bench.live import SIGN_IN, SIGN_OUT, post_change
from bench.stats import Summary, ratio
from server.app import create_app
from services import org, rosters
from services.clock import SystemClock
from services.errors import NotFound

ROSTER_QUERY = """
query($id: ID!) {
  classroom(id: $id) {
    roster {
      child { id firstName lastName }
      status signedInAt signedOutAt
      events { kind at actor operator source }
    }
  }
}
"""
# Some children in, some in and out, the rest not arrived: every row shape appears.
SIGNED_IN = 30
SIGNED_OUT = 10


@dataclass(frozen=True)
class RosterResult:
    graphql: Summary
    plain: Summary
    rows: int
    equivalent: bool

    @property
    def mean_ratio(self) -> float:
        return ratio(self.graphql.mean, self.plain.mean)

    @property
    def p50_ratio(self) -> float:
        return ratio(self.graphql.p50, self.plain.p50)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _row(entry: rosters.RosterEntry) -> dict[str, Any]:
    """The same fields, names and formats as the GraphQL selection."""
    return {
        "child": {
            "id": str(entry.child.id),
            "firstName": entry.child.first_name,
            "lastName": entry.child.last_name,
        },
        "status": entry.day.status.value,
        "signedInAt": _iso(entry.day.signed_in_at),
        "signedOutAt": _iso(entry.day.signed_out_at),
        "events": [
            {
                "kind": e.kind.value,
                "at": _iso(e.occurred_at),
                "actor": e.actor_name,
                "operator": e.operator_name,
                "source": e.source.value,
            }
            for e in entry.events
        ],
    }


async def plain_roster(request: Request) -> JSONResponse:
    """The roster without GraphQL: same token check, same services, same JSON."""
    ip = request.client.host if request.client else ""
    token = bearer_token(request.headers.get("authorization"))
    principal = await sessions.resolve(token, SystemClock().now(), ip) if token else None
    if principal is None or not is_staff(principal):
        return JSONResponse({"error": "UNAUTHENTICATED"}, status_code=401)
    if not principal.has(Grant.VIEW_ATTENDANCE):
        return JSONResponse({"error": "FORBIDDEN"}, status_code=403)
    try:
        classroom = await org.get_classroom(principal, UUID(request.path_params["id"]))
    except (ValueError, NotFound):
        return JSONResponse({"error": "NOT_FOUND"}, status_code=404)
    day = org.local_date(classroom.site, datetime.now(UTC))
    entries = await rosters.roster(principal, classroom, day)
    return JSONResponse({"data": {"classroom": {"roster": [_row(e) for e in entries]}}})


def plain_app() -> Starlette:
    return Starlette(routes=[Route("/classrooms/{id}/roster", plain_roster)])


async def _record_attendance(client: httpx.AsyncClient, fixture: Fixture) -> None:
    """Give the roster real events, through the real mutations."""
    room = fixture.roster_room.id
    for query, kids in (
        (SIGN_IN, fixture.roster_room.child_ids[:SIGNED_IN]),
        (SIGN_OUT, fixture.roster_room.child_ids[:SIGNED_OUT]),
    ):
        body = {"query": query, "variables": {"i": {"childIds": kids, "classroomId": room}}}
        await post_change(client, fixture.token, body)


async def measure(fixture: Fixture, warmup: int, requests: int) -> RosterResult:
    auth = {"authorization": f"Bearer {fixture.token}"}
    graphql_body = {"query": ROSTER_QUERY, "variables": {"id": fixture.roster_room.id}}
    plain_path = f"/classrooms/{fixture.roster_room.id}/roster"
    app = create_app(fixture.settings, clock=SystemClock(), manage_database=False)
    async with app.router.lifespan_context(app):
        graphql = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)),
            base_url="http://bench",
        )
        plain = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=plain_app(), client=("127.0.0.1", 50000)),
            base_url="http://bench",
        )
        async with graphql, plain:
            await _record_attendance(graphql, fixture)

            async def via_graphql() -> dict[str, Any]:
                response = await graphql.post("/graphql", json=graphql_body, headers=auth)
                return response.raise_for_status().json()  # type: ignore[no-any-return]

            async def via_plain() -> dict[str, Any]:
                response = await plain.get(plain_path, headers=auth)
                return response.raise_for_status().json()  # type: ignore[no-any-return]

            first_graphql, first_plain = await via_graphql(), await via_plain()
            if first_graphql.get("errors"):
                raise RuntimeError(f"roster query failed: {first_graphql['errors']}")
            for _ in range(warmup):
                await via_graphql()
                await via_plain()
            # Interleaved, so drift (caches, the SQLite file, CPU frequency) hits both alike.
            graphql_times: list[float] = []
            plain_times: list[float] = []
            for _ in range(requests):
                graphql_times.append(await _timed(via_graphql))
                plain_times.append(await _timed(via_plain))
    return RosterResult(
        graphql=Summary.of(graphql_times),
        plain=Summary.of(plain_times),
        rows=len(first_graphql["data"]["classroom"]["roster"]),
        equivalent=first_graphql == first_plain,
    )


async def _timed(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started
