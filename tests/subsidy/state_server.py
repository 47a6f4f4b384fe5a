"""A real HTTP server playing the state's attendance system, on a free loopback port.

It keeps its own records: providers and their passwords, the subsidised children of each
provider, the child-days it accepted (counted once per idempotency key), closed periods,
and scripted failures (429, 5xx, malformed bodies, a 200 with an error body, a hold).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.notifications.servers import free_port
from tests.waiting import eventually


@dataclass
class StateRecord:
    key: str
    body: dict[str, Any]


@dataclass
class StateSystemServer:
    url: str
    # provider id -> password
    providers: dict[str, str] = field(default_factory=dict)
    # provider id -> children rows as the protocol lists them
    children: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    # (provider, state id, date) -> every version accepted, in order
    days: dict[tuple[str, str, str], list[StateRecord]] = field(default_factory=dict)
    # idempotency key -> the answer given, replayed on a repeat
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)
    # provider -> (first, last) dates no longer accepted
    closed: dict[str, list[tuple[date, date]]] = field(default_factory=dict)
    # scripted answers for the next attempt requests: (status, raw body)
    script: list[tuple[int, str]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def add_child(
        self, provider: str, state_id: str, first: str, last: str, born: date, middle: str = ""
    ) -> None:
        self.children.setdefault(provider, []).append(
            {
                "stateId": state_id,
                "firstName": first,
                "middleName": middle,
                "lastName": last,
                "dateOfBirth": born.isoformat(),
            }
        )

    def versions(self, provider: str, state_id: str, day: date) -> list[dict[str, Any]]:
        return [r.body for r in self.days.get((provider, state_id, day.isoformat()), [])]

    @property
    def accepted(self) -> int:
        return sum(len(v) for v in self.days.values())


def _provider_of(server: StateSystemServer, request: Request) -> str | None:
    """The provider whose credentials came with the request, if they are right."""
    provider = request.path_params["provider"]
    header = request.headers.get("authorization", "")
    password = server.providers.get(provider)
    if password is None:
        return None
    if header.startswith("Basic "):
        try:
            user, _, given = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        return provider if (user, given) == (provider, password) else None
    if header.startswith("Bearer "):
        return provider if header[7:] == password else None
    return None


def _app(server: StateSystemServer) -> Starlette:
    def denied() -> Response:
        return JSONResponse({"status": "rejected", "code": "UNAUTHORIZED"}, status_code=401)

    async def provider(request: Request) -> Response:
        server.requests.append(("GET", request.url.path, dict(request.headers)))
        if _provider_of(server, request) is None:
            return denied()
        return JSONResponse({"providerId": request.path_params["provider"]})

    async def children(request: Request) -> Response:
        server.requests.append(("GET", request.url.path, dict(request.headers)))
        who = _provider_of(server, request)
        if who is None:
            return denied()
        return JSONResponse({"children": server.children.get(who, [])})

    async def attendance(request: Request) -> Response:
        server.requests.append(("PUT", request.url.path, dict(request.headers)))
        if server.script:
            status, raw = server.script.pop(0)
            return Response(raw, status_code=status, media_type="application/json")
        who = _provider_of(server, request)
        if who is None:
            return denied()
        key = request.headers.get("idempotency-key", "")
        if not key:
            return JSONResponse({"status": "rejected", "message": "no key"}, status_code=400)
        if key in server.seen:
            return JSONResponse(server.seen[key])
        return _accept(server, who, request, key, await request.json())

    return Starlette(
        routes=[
            Route("/v1/providers/{provider}", provider, methods=["GET"]),
            Route("/v1/providers/{provider}/children", children, methods=["GET"]),
            Route(
                "/v1/providers/{provider}/attendance/{state_id}/{day}",
                attendance,
                methods=["PUT"],
            ),
        ]
    )


def _accept(server: StateSystemServer, who: str, request: Request, key: str, body: Any) -> Response:
    state_id, day_text = request.path_params["state_id"], request.path_params["day"]
    known = {c["stateId"] for c in server.children.get(who, [])}
    if state_id not in known:
        return _reject(422, "VALIDATION", f"unknown child {state_id}")
    day = date.fromisoformat(day_text)
    for first, last in server.closed.get(who, []):
        if first <= day <= last:
            return _reject(409, "PERIOD_CLOSED", f"period {first} to {last} is closed")
    if not isinstance(body, dict) or body.get("date") != day_text:
        return _reject(422, "VALIDATION", "date does not match the body")
    for visit in body.get("sessions", []):
        if not visit.get("in") or not visit.get("out"):
            return _reject(422, "VALIDATION", "each visit needs a check-in and a check-out")
    server.days.setdefault((who, state_id, day_text), []).append(StateRecord(key, body))
    answer = {"status": "accepted", "receiptId": f"R{server.accepted}"}
    server.seen[key] = answer
    return JSONResponse(answer)


def _reject(status: int, code: str, message: str) -> Response:
    return JSONResponse({"status": "rejected", "code": code, "message": message}, status)


@asynccontextmanager
async def state_system() -> AsyncIterator[StateSystemServer]:
    port = free_port()
    server = StateSystemServer(url=f"http://127.0.0.1:{port}")
    uv = uvicorn.Server(
        uvicorn.Config(
            _app(server), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    task = asyncio.create_task(uv.serve())
    try:
        await eventually(lambda: uv.started)  # uvicorn offers no started event
        yield server
    finally:
        uv.should_exit = True
        await asyncio.wait_for(task, 10)
