"""The application factory: one Settings, one lifespan, routes wired explicitly."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

from broadcaster import Broadcast
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from tortoise import connections

from integrations.file_storage import FileStorage
from realtime.bus import EventBus
from schema.limits import Limits
from schema.root import build_schema
from server import logs
from server.db import open_database
from server.file_storage import build_storage
from server.files import OWN_LIMIT as OWN
from server.files import FileRoutes
from server.graphql_view import PlayrollGraphQL
from server.middleware import BodySizeLimit
from server.report_route import report_download
from server.settings import Settings
from server.web.headers import SecurityHeaders
from server.web.routes import web_routes
from services.clock import Clock, SystemClock

logger = logging.getLogger(__name__)


def limits_from(settings: Settings) -> Limits:
    return Limits(
        debug=settings.debug,
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        max_root_fields=settings.max_root_fields,
        max_cost=settings.max_query_cost,
    )


async def healthz(request: Request) -> JSONResponse:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        logger.warning("health check: database unreachable", exc_info=True)
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def broadcast_for(url: str) -> Broadcast:
    """``memory://`` in one process; ``redis://`` across instances, with our backend."""
    if url.startswith(("redis://", "rediss://")):
        from realtime.redis_backend import ResilientRedisBackend

        return Broadcast(backend=ResilientRedisBackend(url))
    return Broadcast(url)


@asynccontextmanager
async def _background_jobs(
    settings: Settings, clock: Clock, bus: EventBus, storage: FileStorage
) -> AsyncIterator[None]:
    """Notification delivery, the end-of-day close and the file cleanup inside the server
    process, for one-process deployments."""
    from jobs.day_close import DayCloser
    from jobs.file_cleanup import FileCleaner
    from jobs.subsidy import exporter_for
    from jobs.transports import build_transports
    from jobs.worker import Worker

    worker = Worker(
        secret=settings.secret,
        transports=build_transports(settings),
        max_attempts=settings.notification_max_attempts,
        clock=clock,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(settings.worker_poll_seconds, stop))
    closer = DayCloser(clock=clock, bus=bus)
    closing = asyncio.create_task(closer.run(settings.worker_poll_seconds, stop))
    cleaner = FileCleaner(clock=clock, storage=storage)
    cleaning = asyncio.create_task(cleaner.run(settings.worker_poll_seconds, stop))
    exporter = exporter_for(settings, settings.secret, clock)
    exporting = (
        asyncio.create_task(exporter.run(settings.worker_poll_seconds, stop)) if exporter else None
    )
    try:
        yield
    finally:
        # Let the message in hand finish rather than cut a send in half.
        stop.set()
        await task
        await closing
        await cleaning
        await worker.aclose()
        if exporter is not None and exporting is not None:
            await exporting
            await exporter.aclose()


def _graphql_view(settings: Settings, bus: EventBus, clock: Clock) -> PlayrollGraphQL:
    """The one GraphQL endpoint, for HTTP and graphql-transport-ws sockets."""
    return PlayrollGraphQL(
        build_schema(limits_from(settings)),
        settings=settings,
        bus=bus,
        clock=clock,
        graphql_ide="graphiql" if settings.debug else None,
        allow_queries_via_get=False,
        connection_init_wait_timeout=timedelta(seconds=settings.connection_init_wait_seconds),
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        allowed_origins=settings.allowed_origins,
        # graphql-transport-ws only: the legacy graphql-ws has no connection_init deadline
        # and would need its own copy of every socket rule; no client of ours speaks it.
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )


def create_app(
    settings: Settings, *, clock: Clock | None = None, manage_database: bool = True
) -> Starlette:
    """Build the ASGI app. ``manage_database=False`` when the caller opened the ORM.

    ``clock`` is the only source of the time for requests, sockets and in-process jobs
    (tests pass a frozen one); the machine's clock by default.
    """
    clock = clock or SystemClock()
    logs.install()
    broadcast = broadcast_for(settings.broadcast_url)
    bus = EventBus(broadcast, queue_limit=settings.subscriber_queue_limit)
    graphql = _graphql_view(settings, bus, clock)
    files = FileRoutes(settings, build_storage(settings), clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if manage_database:
                await stack.enter_async_context(open_database(settings.database_url))
            await broadcast.connect()
            stack.push_async_callback(broadcast.disconnect)
            stack.push_async_callback(bus.close)  # before the disconnect (last in, first out)
            if settings.runs_jobs_in_process:
                await stack.enter_async_context(
                    _background_jobs(settings, clock, bus, files.storage)
                )
            yield

    app = Starlette(
        debug=False,
        routes=[
            # Route plus WebSocketRoute, not Mount: a Mount at /graphql would not match
            # /graphql itself for WebSocket clients.
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/reports/{token}", report_download(settings, clock), methods=["GET"]),
            *files.routes(),
            *web_routes(),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, own_limit=OWN),
        ],
        lifespan=lifespan,
    )
    # For operators' tooling, tests and benchmarks that publish or inspect directly.
    app.state.bus = bus
    app.state.broadcast = broadcast
    app.state.storage = files.storage
    app.state.fanout = graphql.fanout
    return app
