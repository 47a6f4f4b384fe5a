"""Running operations through the real schema with a built context."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import strawberry
from starlette.requests import Request

from auth import sessions
from auth.principals import Anonymous, Principal
from realtime.bus import EventBus
from resolvers.context import Context
from server.settings import Settings
from tests.clock import FrozenClock


class RecordingBroadcast:
    """Stands in for the broker in schema-level tests; round-trips events through JSON."""

    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, Any]]] = []

    async def publish(self, channel: str, message: str) -> None:
        self.published.append((channel, json.loads(message)))


@dataclass
class Result:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code", "") for e in self.errors]


def _request(ip: str) -> Request:
    return Request({"type": "http", "method": "POST", "headers": [], "client": (ip, 40000)})


class GraphQLClient:
    def __init__(self, schema: strawberry.Schema, settings: Settings, clock: FrozenClock) -> None:
        self.schema = schema
        self.settings = settings
        self.clock = clock
        self.broadcast = RecordingBroadcast()
        self.bus = EventBus(self.broadcast)

    async def principal_for(self, token: str, ip: str = "127.0.0.1") -> Principal:
        principal = await sessions.resolve(token, self.clock.now(), ip)
        assert principal is not None, "token does not resolve"
        return principal

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        principal: Principal | None = None,
        ip: str = "127.0.0.1",
    ) -> Result:
        if principal is None:
            # As the HTTP view does: a dead or unknown token is no token at all.
            resolved = await sessions.resolve(token, self.clock.now(), ip) if token else None
            principal = resolved or Anonymous(ip_address=ip)
        context = Context(
            request=_request(ip),
            principal=principal,
            settings=self.settings,
            bus=self.bus,
            clock=self.clock,
        )
        result = await self.schema.execute(query, variable_values=variables, context_value=context)
        errors = [e.formatted for e in result.errors or []]
        return Result(data=result.data, errors=errors)  # type: ignore[arg-type]
