"""Draw docs/attendance-report.png: page 1 of a week's report made from the demo data.

    .venv/bin/python -m docs.make_report_image

Seeds the demo agency into a throwaway SQLite file, records one week in its Preschool
room through the same API the apps use (staff sign-ins, an absence, a forgotten sign-out
closed automatically, meals, a parent's drawn signature), asks for the report as the
demo viewer and renders its first page with pdftoppm (poppler-utils).
"""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tortoise.migrations.api import migrate

from auth import sessions
from models.activities import ActivityKind, MealType
from models.attendance import AttendanceEvent
from models.org import Classroom, Site, StaffUser
from models.people import Child, FamilyAdult
from models.signatures import SignatureMethod
from schema.limits import Limits
from schema.root import build_schema
from server.db import open_database, tortoise_config
from server.demo import create_demo_data
from server.settings import Settings
from services import people, signatures
from tests import clock as test_clock
from tests.activities.helpers import LOG, label, log_input, sign
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.reports.helpers import report

OUT = Path(__file__).with_name("attendance-report.png")
ZONE = ZoneInfo("America/Chicago")
WEEK = [date(2026, 3, 2) + timedelta(days=i) for i in range(5)]
ABSENT = "mutation($i: MarkAbsentInput!) { markAbsent(input: $i) { errors { code } } }"
STROKES = [[[0, 10], [8, 0], [14, 12], [22, 2], [30, 10]], [[34, 2], [34, 12], [44, 7]]]


def at(day: date, hhmm: str) -> datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


async def _week(gql: GraphQLClient, token: str, room: Classroom, kids: list[Child]) -> None:
    """Everyone in at 8, out at 4 (staggered); the last child absent on Monday; the first
    forgets to sign out on Tuesday; lunch and a snack each day."""
    lunch = await label(
        room.site.agency_id, "Lunch", ActivityKind.MEAL, MealType.LUNCH, now=gql.clock.now()
    )
    snack = await label(
        room.site.agency_id, "PM snack", ActivityKind.MEAL, MealType.PM_SNACK, now=gql.clock.now()
    )
    for day in WEEK:
        here = kids[:-1] if day == WEEK[0] else kids
        if day == WEEK[0]:
            absent = {
                "childId": str(kids[-1].id),
                "date": day.isoformat(),
                "reason": "Ear infection",
            }
            await gql.execute(ABSENT, {"i": absent}, token=token)
        for n, kid in enumerate(here):
            await sign(gql, token, room, [kid], at(day, "07:30") + timedelta(minutes=4 * n))
        await gql.execute(LOG, log_input(here, [lunch], at(day, "11:45")), token=token)
        await gql.execute(LOG, log_input(here, [snack], at(day, "15:00")), token=token)
        for n, kid in enumerate(here):
            if not (day == WEEK[1] and kid is kids[0]):
                await sign(
                    gql, token, room, [kid], at(day, "16:10") + timedelta(minutes=5 * n), out=True
                )


async def _drawn_signature(kid: Child, now: datetime) -> None:
    adult = await FamilyAdult.filter(family_id=kid.family_id, guardian_slot__isnull=False).first()
    assert adult is not None
    events = await AttendanceEvent.filter(child_id=kid.id, local_date__in=WEEK[2:4])
    await signatures.sign(
        adult, events, agency_id=kid.agency_id, method=SignatureMethod.DRAWN,
        device="demo", now=now, strokes=STROKES,
    )  # fmt: skip


async def build() -> bytes:
    """The report's PDF, from a fresh copy of the demo data."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{folder}/demo.db"
        settings = Settings(
            database_url=url,
            secret_key=secrets.token_hex(24),
            debug=True,
            _env_file=None,  # type: ignore[call-arg]
        )
        await migrate(config=tortoise_config(url))
        clock = FrozenClock(datetime(2026, 3, 1, 12, tzinfo=UTC))
        test_clock.install(clock)
        async with open_database(url):
            await create_demo_data(settings.secret, now=clock.now())
            clock.set(at(WEEK[-1], "18:00").astimezone(UTC))
            await Site.filter(name="Main Street Center").update(allow_past_day_edits=True)
            room = await Classroom.get(name="Preschool").select_related("site")
            gql = GraphQLClient(build_schema(Limits()), settings, clock)
            teacher = await StaffUser.get(email="teacher@example.com")
            token = await sessions.issue_staff_session(
                teacher, timedelta(hours=1), "127.0.0.1", clock.now()
            )
            staff = await gql.principal_for(token)
            kids = await people.enrolled_children(staff, room.id, WEEK[0], clock.now())
            await _week(gql, token, room, kids)
            await _drawn_signature(kids[1], clock.now())
            viewer = await StaffUser.get(email="viewer@example.com")
            token = await sessions.issue_staff_session(
                viewer, timedelta(hours=1), "127.0.0.1", clock.now()
            )
            span = {"from": WEEK[0].isoformat(), "to": WEEK[-1].isoformat()}
            return await report(gql, token, classroomId=str(room.id), **span, format="PDF")


def main() -> None:
    body = asyncio.run(build())
    png = subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-"],
        input=body, capture_output=True, check=True,
    ).stdout  # fmt: skip
    OUT.write_bytes(png)


if __name__ == "__main__":
    main()
