"""What every ``playroll`` command shares: operator errors, settings, database checks.

Mistakes an operator can fix end as a ``CommandError`` whose message says how; the CLI
prints it in one or two lines without a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from pydantic import ValidationError

from server.db import DatabaseUnavailable, redacted
from server.settings import Settings

T = TypeVar("T")


class CommandError(Exception):
    """A failure the operator can fix: the message says how."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def say(line: str) -> None:
    print(line, flush=True)  # noqa: T201


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as e:
        lines = []
        for error in e.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            # A field's own error names the variable; a cross-field check names its own.
            field = "PLAYROLL_" + str(error["loc"][0]).upper() + ": " if error["loc"] else ""
            lines.append(f"configuration error: {field}{message}")
        raise CommandError("\n".join(lines)) from e


def run(work: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(work)
    except DatabaseUnavailable as e:
        raise CommandError(str(e)) from e


async def _pending(settings: Settings) -> list[str]:
    from server.db import pending_migrations

    return await pending_migrations(settings.database_url)


def require_schema(settings: Settings, *, fix: str = "playroll migrate") -> None:
    pending = run(_pending(settings))
    if pending:
        raise CommandError(
            f"the database at {redacted(settings.database_url)} is not ready "
            f"({len(pending)} migration(s) not applied, from {pending[0]}): run `{fix}` first"
        )
