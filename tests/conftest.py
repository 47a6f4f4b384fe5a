"""Test harness: one migrated database per run, emptied before every test.

The default run uses a temporary SQLite file and ``memory://`` broadcast. With
``PLAYROLL_TEST_DATABASE_URL`` (and ``PLAYROLL_TEST_REDIS_URL``) set, the same suite runs
on PostgreSQL (and Redis).
"""

from __future__ import annotations

import functools
import gc
import graphlib
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from argon2.profiles import CHEAPEST
from starlette.applications import Starlette
from tortoise import Tortoise, connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

from auth import passwords
from auth.keys import Keyring
from schema.limits import Limits
from schema.root import build_schema
from server.db import open_database, tortoise_config
from server.settings import Settings
from services.clock import Clock
from tests import clock as test_clock
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.waiting import eventually

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
# What services take: the keys derived from the test secret (the settings' ``secret``).
TEST_KEYRING = Keyring.from_secrets(TEST_SECRET.encode())


# Real argon2id at its cheapest: what is tested is which password opens what, not the
# cost of a guess (the production parameters are argon2-cffi's RFC 9106 defaults).
passwords.use_parameters(CHEAPEST)

WALL_CLOCK_ENV = "PLAYROLL_TEST_WALL_CLOCK"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--wall-clock",
        default=os.environ.get(WALL_CLOCK_ENV),
        metavar="ISO",
        help=(
            "run the whole session with the process's wall clock moved to this instant "
            "(ISO 8601 with offset, e.g. 2026-11-01T00:20-05:00), ticking from there; "
            f"also ${WALL_CLOCK_ENV}. Proves no test or app code reads the machine's clock."
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    instant = config.getoption("--wall-clock")
    if instant:
        import time_machine

        moment = datetime.fromisoformat(instant)
        if moment.tzinfo is None:
            raise pytest.UsageError("--wall-clock needs a UTC offset")
        # Python's clocks only (datetime, time.time); monotonic time, OpenSSL and other
        # processes keep the real one. Ends with the process.
        config.stash[_TRAVEL] = traveller = time_machine.travel(moment, tick=True)
        traveller.start()


def pytest_report_header(config: pytest.Config) -> str | None:
    instant = config.getoption("--wall-clock")
    return f"wall clock moved to {instant}" if instant else None


_TRAVEL = pytest.StashKey[object]()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("PLAYROLL_TEST_DATABASE_URL")
    if url:
        return url
    path: Path = tmp_path_factory.mktemp("db") / "playroll-test.db"
    return f"sqlite://{path}"


@pytest.fixture(scope="session")
def broadcast_url() -> str:
    return os.environ.get("PLAYROLL_TEST_REDIS_URL", "memory://")


@pytest.fixture(scope="session")
def settings(database_url: str, broadcast_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        broadcast_url=broadcast_url,
        secret_key=TEST_SECRET,
        debug=False,
        # Tests deliver notifications themselves, when and as they choose.
        jobs_in_process=False,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
async def database(database_url: str) -> AsyncIterator[TortoiseContext]:
    # The schema comes from the real migrations, so every run proves they apply.
    await migrate(config=tortoise_config(database_url))
    await Tortoise.close_connections()
    async with open_database(database_url) as ctx:
        await _empty_tables(database_url.startswith("sqlite"))
        yield ctx


@functools.cache
def _tables_children_first() -> list[str]:
    """Every table, each before the tables it references, so plain DELETEs never trip a key."""
    references: dict[str, set[str]] = {}
    for model in Tortoise.apps.get_models_iterable():  # type: ignore[union-attr]
        meta = model._meta
        referenced = {
            meta.fields_map[name].related_model._meta.db_table  # type: ignore[attr-defined]
            for name in meta.fk_fields | meta.o2o_fields
        }
        # A table pointing at itself empties in one statement; it orders nothing.
        references[meta.db_table] = referenced - {meta.db_table}
    return list(reversed(list(graphlib.TopologicalSorter(references).static_order())))


async def _empty_tables(sqlite: bool) -> None:
    """Delete the rows of the tables the last test wrote to, and only those.

    One query finds them; emptying every table instead (TRUNCATE on PostgreSQL costs a new
    file per table) was most of a short test's time. Sequences are not restarted: no test
    may depend on which IDs it gets.
    """
    client = connections.get("default")
    tables = _tables_children_first()
    probe = " UNION ALL ".join(
        f'SELECT {position} AS position WHERE EXISTS (SELECT 1 FROM "{table}")'
        for position, table in enumerate(tables)
    )
    _, rows = await client.execute_query(probe)
    written = sorted(row["position"] for row in rows)
    if not written:
        return
    deletes = "".join(f'DELETE FROM "{tables[i]}";' for i in written)
    if sqlite:
        # SQLite checks a RESTRICT key row by row, so a table whose rows point at each
        # other (corrections of attendance events) cannot be emptied with keys on.
        deletes = f"PRAGMA foreign_keys=OFF;{deletes}PRAGMA foreign_keys=ON;"
    await client.execute_script(deletes)


@pytest.fixture(autouse=True)
async def db(database: TortoiseContext, database_url: str) -> None:
    await _empty_tables(database_url.startswith("sqlite"))


@pytest.fixture(autouse=True)
def clock() -> FrozenClock:
    """The time every test runs at: ``tests.clock.DEFAULT_INSTANT`` until it moves it.

    Autouse, so the app, ``gql``, the factories and the worker of one test share it; a
    directory that needs another instant overrides this fixture and calls ``set``.
    """
    frozen = FrozenClock()
    test_clock.install(frozen)
    return frozen


def pytest_collection_finish(session: pytest.Session) -> None:
    # What every test module imported lives until the end: set it aside, so the collection
    # after each test walks only what that test made (a full walk cost ~100 ms a test).
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def collect_garbage_after_test() -> Iterator[None]:
    # A coroutine left unawaited is only reported when it is garbage-collected, which may
    # be several tests later; collecting here pins the warning on the test that caused it.
    yield
    gc.collect()


@pytest.fixture(scope="session")
def schema() -> object:
    return build_schema(Limits())


@pytest.fixture
def gql(schema: object, settings: Settings, clock: FrozenClock) -> GraphQLClient:
    return GraphQLClient(schema, settings, clock)  # type: ignore[arg-type]


@pytest.fixture
async def world(db: None) -> object:
    from tests.world import build_world

    return await build_world()


@pytest.fixture
async def http(settings: Settings, clock: FrozenClock) -> AsyncIterator[object]:
    """An HTTP client speaking to the real ASGI app (the test owns the database)."""
    import httpx

    from server.app import create_app

    app = create_app(settings, clock=clock, manage_database=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@dataclass
class LiveServer:
    app: Starlette
    port: int
    broadcast_url: str

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    async def subscribed(self, *channels: str) -> None:
        """Wait until the server listens on ``channels`` (a client's subscribe took effect)."""
        from tests.waiting import subscribed

        redis_url = self.broadcast_url if self.broadcast_url.startswith("redis") else None
        await subscribed(self.app.state.bus, *channels, redis_url=redis_url)


@asynccontextmanager
async def serving(settings: Settings, clock: Clock) -> AsyncIterator[LiveServer]:
    """The real app on a real uvicorn socket (the test owns the database)."""
    import asyncio
    import socket

    import uvicorn

    from server.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(settings, clock=clock, manage_database=False)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ws_max_size=settings.max_ws_frame_bytes,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)  # uvicorn offers no started event
    try:
        yield LiveServer(app=app, port=port, broadcast_url=settings.broadcast_url)
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), 10)
        except TimeoutError:
            _dump_tasks()
            server.force_exit = True
            await task
            raise


def _dump_tasks() -> None:
    import asyncio
    import io
    import sys

    for pending in asyncio.all_tasks():
        stack = io.StringIO()
        pending.print_stack(file=stack, limit=8)
        sys.stderr.write(f"--- {pending.get_name()}\n{stack.getvalue()}")


@pytest.fixture
async def live(settings: Settings, db: None, clock: FrozenClock) -> AsyncIterator[LiveServer]:
    async with serving(settings, clock) as server:
        yield server


@pytest.fixture
def live_server(live: LiveServer) -> str:
    return live.ws_url
