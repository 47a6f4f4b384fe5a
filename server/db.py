"""Database wiring: the Tortoise config built from settings, and one context manager."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise.context import TortoiseContext

from models import MODEL_MODULES

APP_LABEL = "models"


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
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


def __getattr__(name: str) -> Any:
    # The tortoise CLI (``tortoise makemigrations``) imports ``server.db.TORTOISE_ORM``.
    if name == "TORTOISE_ORM":
        return tortoise_config(os.environ.get("PLAYROLL_DATABASE_URL", "sqlite://playroll.db"))
    raise AttributeError(name)
