"""strawberry's ASGI view with our context getter and request guards."""

from __future__ import annotations

import json
import logging
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UnsetType

from auth import sessions
from auth.principals import Anonymous, Principal, SessionPrincipal
from auth.tokens import bearer_token
from realtime.bus import EventBus
from resolvers.context import Context
from server import socket_guard
from server.collector import ClosedSockets
from server.fanout import Hub, SharingHandler
from server.json_limits import deeper_than
from server.session_cache import SessionCache
from server.settings import Settings
from server.web.routes import graphiql_html
from services.clock import Clock

_GUARD_KEY = "playroll.socket_guard"

logger = logging.getLogger(__name__)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def client_ip(connection: Request | WebSocket) -> str:
    # uvicorn's --proxy-headers/--forwarded-allow-ips decide whether X-Forwarded-For is
    # trusted; here we take what the server resolved, never a raw client header.
    return connection.client.host if connection.client else ""


class PlayrollGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = SharingHandler

    def __init__(
        self, *args: Any, settings: Settings, bus: EventBus, clock: Clock, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.settings = settings
        self.bus = bus
        self.clock = clock
        # Identical subscriptions share one execution per event (server/fanout.py).
        # The app's clock, not the machine's monotonic one: tests freeze it, so whether a
        # request hits the cache never depends on how loaded the machine is.
        self.session_cache = SessionCache(
            settings.session_cache_seconds, monotonic=lambda: clock.now().timestamp()
        )
        bus.on_publish.append(self.session_cache.announced)
        self.closed_sockets = ClosedSockets()
        self.access_watch = socket_guard.AccessWatch(bus, clock)
        self.fanout = (
            Hub(self.schema, bus, settings.subscriber_queue_limit)
            if settings.shared_subscriptions
            else None
        )

    @property
    def graphql_ide_html(self) -> str:
        # strawberry's page loads GraphiQL from a CDN; ours comes from /static.
        return graphiql_html()

    def parse_json(self, data: str | bytes) -> Any:
        # strawberry answers every unparsable body with the same words; say what was wrong.
        try:
            return self.decode_json(data)
        except json.JSONDecodeError as e:
            raise HTTPException(400, f"Unable to parse request body as JSON: {e.msg}") from e

    def decode_json(self, data: str | bytes) -> object:
        """Request bodies and WebSocket messages alike (a socket closes with 4400)."""
        limit = self.settings.max_json_depth
        if deeper_than(data, limit):
            # json.loads recurses per level and would end in RecursionError: count first.
            raise json.JSONDecodeError(f"nested deeper than {limit} levels", "", 0)
        try:
            # Python refuses integers over 4,300 digits with ValueError, and accepts NaN
            # unless told otherwise: both are the client's fault, so both must be a 400.
            # strawberry answers a JSONDecodeError with 400, so report them as one.
            return json.loads(data, parse_constant=_reject_constant)
        except json.JSONDecodeError:
            raise
        except ValueError as e:
            text = data.decode(errors="replace") if isinstance(data, bytes) else data
            raise json.JSONDecodeError(str(e), text, 0) from e

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        ip = client_ip(request)
        principal: Principal = Anonymous(ip_address=ip)
        if isinstance(request, Request):
            # A bad or expired token is treated as no token: protected fields answer
            # UNAUTHENTICATED, and the client can still call staffLogin to get a new one.
            token = bearer_token(request.headers.get("authorization"))
            principal = (
                await self.session_cache.resolve(token, self.clock.now(), ip) if token else None
            ) or principal
        return Context(
            request=request,
            principal=principal,
            settings=self.settings,
            bus=self.bus,
            clock=self.clock,
            response=response,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """A socket lives for hours: it must present a valid token in ``connection_init``."""
        params = context.connection_params
        authorization = params.get("authorization") if isinstance(params, dict) else None
        token = bearer_token(authorization) if isinstance(authorization, str) else None
        principal = (
            await self.session_cache.resolve(token, self.clock.now(), context.principal.ip_address)
            if token
            else None
        )
        # Staff, parents and kiosks hold sessions worth a socket; anything else is refused.
        if token is None or not isinstance(principal, SessionPrincipal):
            raise ConnectionRejectionError({"reason": "A valid token is required."})
        context.principal = principal
        websocket = context.request
        assert isinstance(websocket, WebSocket)

        async def still_valid() -> bool:
            # The session must still grant exactly what the socket was opened with: a
            # parent's links may have narrowed while the announcement was lost.
            resolved = await sessions.resolve(token, self.clock.now(), principal.ip_address)
            return resolved == principal

        websocket.scope[_GUARD_KEY] = self.access_watch.watch(websocket, principal, still_valid)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            if scope["type"] == "websocket":
                self.closed_sockets.closed()
            watched = scope.get(_GUARD_KEY)
            if watched is not None:
                self.access_watch.unwatch(watched)
