"""The benchmark's database and data: one agency, one site, four 40-child classrooms.

The data is built with the project's own models through ``tests.factories``, so it
looks exactly like what the test suite exercises. Every run adds a new agency, so a
reused database is never confused by an earlier run (but it does grow: use a throwaway).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pydantic import SecretStr
from tortoise import Tortoise
from tortoise.migrations.api import migrate

from bench.options import SECRET_KEY
from models.org import ModuleAccess, Site
from server.db import open_database, tortoise_config
from server.settings import Settings
from tests import factories as make

ROSTER_SIZE = 40


@dataclass(frozen=True)
class Room:
    id: str
    child_ids: list[str]


@dataclass(frozen=True)
class Fixture:
    settings: Settings
    token: str  # a staff bearer token: attendance EDIT, students VIEW, at the site
    # One classroom per part, so no part sees another's attendance or events.
    roster_room: Room
    latency_room: Room
    fanout_room: Room
    memory_room: Room
    statements_room: Room
    site_id: str


def settings_for(database_url: str, broadcast_url: str, deflate: bool = False) -> Settings:
    return Settings(
        ws_deflate=deflate,
        database_url=database_url,
        broadcast_url=broadcast_url,
        secret_key=SecretStr(SECRET_KEY),
        debug=False,
        max_subscriptions_per_connection=20,
        _env_file=None,  # type: ignore[call-arg]
    )


@asynccontextmanager
async def prepared(
    database_url: str, broadcast_url: str, deflate: bool = False
) -> AsyncIterator[Fixture]:
    """Migrate, open the ORM for this process, and build the data."""
    await migrate(config=tortoise_config(database_url))
    # migrate() opens its own connections; the app must get fresh ones from open_database.
    await Tortoise.close_connections()
    async with open_database(database_url):
        yield await _build(settings_for(database_url, broadcast_url, deflate))


async def _build(settings: Settings) -> Fixture:
    agency = await make.agency("Bench Agency")
    site = await make.site(agency, name="Bench Site")
    teacher_role = await make.role(agency, attendance=ModuleAccess.EDIT, students=ModuleAccess.VIEW)
    teacher = await make.staff(agency, role=teacher_role, sites=[site], first_name="Bench")
    return Fixture(
        settings=settings,
        # The bench server runs on the machine's clock, not the tests' frozen one.
        token=await make.token_for(teacher, make.ANY_WALL_CLOCK),
        roster_room=await _room(site, "Roster"),
        latency_room=await _room(site, "Latency"),
        fanout_room=await _room(site, "Fanout"),
        memory_room=await _room(site, "Memory"),
        statements_room=await _room(site, "Statements"),
        site_id=str(site.id),
    )


async def _room(site: Site, name: str) -> Room:
    classroom = await make.classroom(site, name)
    kids = [
        await make.child(classroom, first_name=f"{name}{i:02d}", last_name=f"Family{i:02d}")
        for i in range(ROSTER_SIZE)
    ]
    return Room(id=str(classroom.id), child_ids=[str(k.id) for k in kids])
