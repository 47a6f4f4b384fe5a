"""Database wiring: the Tortoise config built from settings, one context manager, and the
operator-facing checks the CLI runs before it touches the database."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.exceptions import DBConnectionError, OperationalError
from tortoise.migrations.api import migrate
from tortoise.migrations.executor import MigrationExecutor

from models import MODEL_MODULES

APP_LABEL = "models"


async def _nothing_to_undo(connection: object) -> None:
    """What asyncpg runs, instead of its reset query, when a connection returns to the pool.

    Its default sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``
    on every release, and Tortoise checks a connection out for each query run outside a
    transaction: one extra round trip per query (a sign-in ran four of them). Playroll takes
    no advisory locks, keeps no cursors open, LISTENs nowhere (events go through the
    broadcaster) and sets no session settings, so there is nothing to undo; an open
    transaction is still rolled back by asyncpg itself before this is called.
    """


def _connection(database_url: str) -> str | dict[str, Any]:
    if urlsplit(database_url).scheme not in ("postgres", "asyncpg"):
        return database_url
    config = expand_db_url(database_url)
    config["credentials"]["reset"] = _nothing_to_undo
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


@asynccontextmanager
async def open_database(database_url: str) -> AsyncIterator[TortoiseContext]:
    """Open the ORM for the whole process; request tasks reach it through the global context."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url), _enable_global_fallback=True)
        yield ctx


class DatabaseUnavailable(Exception):
    """The database cannot be used; the message says why and what to do, in one line."""


def redacted(database_url: str) -> str:
    """The URL without its password, fit for a log line or an error message."""
    parts = urlsplit(database_url)
    if parts.password is None:
        return database_url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def explain(error: BaseException, database_url: str) -> str | None:
    """One line for an operator, for the failures that are theirs to fix; None otherwise."""
    where = redacted(database_url)
    hint = "check PLAYROLL_DATABASE_URL"
    parts = urlsplit(database_url)
    if isinstance(error, DBConnectionError) and "establish connection" in str(error):
        # Tortoise's wording for asyncpg's "database ... does not exist".
        name = parts.path.lstrip("/")
        return (
            f"database {name!r} does not exist on {parts.hostname}: create it "
            f"(createdb -h {parts.hostname} {name}) or {hint}"
        )
    if isinstance(error, socket.gaierror):
        return f"cannot resolve the database host {parts.hostname!r} of {where}: {hint}"
    if isinstance(error, OSError):
        reason = error.strerror or error
        return f"cannot reach the database at {where} ({reason}): is it running? Or {hint}"
    if type(error).__module__.startswith("asyncpg"):
        return f"the database at {where} refused the connection ({error}): {hint}"
    if isinstance(error, OperationalError) and "unable to open database file" in str(error):
        return f"cannot open the SQLite file of {where}: is its folder writable?"
    return None


def _check_sqlite_folder(database_url: str) -> None:
    # aiosqlite never answers when its file cannot be opened (the connect future is left
    # pending), so a missing folder must be caught before connecting.
    if not database_url.startswith("sqlite:"):
        return
    path = expand_db_url(database_url)["credentials"]["file_path"]
    if path != ":memory:" and not Path(path).absolute().parent.is_dir():
        raise DatabaseUnavailable(
            f"the folder of the SQLite file {path} does not exist: create it or check "
            "PLAYROLL_DATABASE_URL"
        )


async def pending_migrations(database_url: str) -> list[str]:
    """The migrations not yet applied; raises DatabaseUnavailable when it cannot tell."""
    _check_sqlite_folder(database_url)
    config = tortoise_config(database_url)
    async with TortoiseContext() as ctx:
        try:
            await ctx.init(config=config)
            client = connections.get("default")
            # First a plain query: the migration recorder reads "no table" and "no
            # database" alike as "nothing applied yet".
            await client.execute_query("SELECT 1")
            plan = await MigrationExecutor(client, config["apps"]).plan()
        except Exception as e:
            message = explain(e, database_url)
            if message is None:
                raise
            raise DatabaseUnavailable(message) from e
    return [step.migration.name for step in plan if not step.backward]


async def apply_migrations(database_url: str, applied: Callable[[str], object]) -> None:
    """Apply what is pending, calling ``applied(name)`` after each migration."""

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied(name)

    _check_sqlite_folder(database_url)
    try:
        await migrate(config=tortoise_config(database_url), progress=progress)
    except Exception as e:
        message = explain(e, database_url)
        if message is None:
            raise
        raise DatabaseUnavailable(message) from e
    finally:
        await Tortoise.close_connections()


def __getattr__(name: str) -> Any:
    # The tortoise CLI (``tortoise makemigrations``) imports ``server.db.TORTOISE_ORM``.
    if name == "TORTOISE_ORM":
        return tortoise_config(os.environ.get("PLAYROLL_DATABASE_URL", "sqlite://playroll.db"))
    raise AttributeError(name)
