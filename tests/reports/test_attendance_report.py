"""A month of attendance, printed: the PDF text and the CSV rows against the records."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

from auth.principals import is_staff
from models.activities import ActivityKind, MealType
from models.attendance import AttendanceEvent
from models.org import Site
from models.signatures import SignatureMethod
from services import corrections, signatures
from services.report_csv import COLUMNS
from tests import factories as make
from tests.activities.helpers import LOG, label, log_input, sign
from tests.family.helpers import household
from tests.graphql import GraphQLClient
from tests.reports import helpers
from tests.reports.helpers import first_page_png, local, page_count, page_size, report
from tests.world import World

ZONE = "America/Chicago"
MON, TUE, WED = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)
ABSENT = "mutation($i: MarkAbsentInput!) { markAbsent(input: $i) { errors { code } } }"
STROKES = [[[0, 0], [30, 12], [60, 0]], [[10, 20], [50, 20]]]


async def _events(child: Any, day: date) -> list[AttendanceEvent]:
    return await AttendanceEvent.filter(child_id=child.id, local_date=day).order_by("occurred_at")


async def _month(gql: GraphQLClient, world: World) -> dict[str, Any]:
    """Ava, Ben and Cleo in Butterflies, early March (the clock is on April 1)."""
    gql.clock.set(datetime(2026, 4, 1, 15, 0, tzinfo=UTC))
    await Site.filter(id=world.site.id).update(allow_past_day_edits=True)
    ava, ben, cleo = world.kids
    token = await make.token_for(world.teacher)
    room = world.room
    await sign(gql, token, room, [ava, ben], local(ZONE, MON, "08:00"))
    await sign(gql, token, room, [ava], local(ZONE, MON, "16:30"), out=True)
    await sign(gql, token, room, [ben], local(ZONE, MON, "17:15"), out=True)
    absent = {"childId": str(cleo.id), "date": MON.isoformat(), "reason": "Fiebre y tos"}
    assert (await gql.execute(ABSENT, {"i": absent}, token=token)).data
    await sign(gql, token, room, [ava, ben], local(ZONE, TUE, "08:05"))
    await sign(gql, token, room, [ava], local(ZONE, TUE, "15:00"), out=True)
    # Ben is never signed out on Tuesday: Wednesday's sign-in closes his day automatically.
    await sign(gql, token, room, [ben], local(ZONE, WED, "09:00"))
    await sign(gql, token, room, [ben], local(ZONE, WED, "12:30"), out=True)
    lunch = await label(
        world.agency.id, "Lunch", ActivityKind.MEAL, MealType.LUNCH, now=gql.clock.now()
    )
    breakfast = await label(
        world.agency.id, "Breakfast", ActivityKind.MEAL, MealType.BREAKFAST, now=gql.clock.now()
    )
    circle = await label(world.agency.id, "Circle time", ActivityKind.LEARNING, now=gql.clock.now())
    for kids, labels, at in (
        ([ava, ben], [lunch], local(ZONE, MON, "12:00")),
        ([ava], [breakfast, circle], local(ZONE, MON, "08:30")),
        ([ben], [lunch], local(ZONE, WED, "12:00")),
    ):
        result = await gql.execute(LOG, log_input(kids, labels, at), token=token)
        assert result.data is not None
        assert result.data["logActivities"]["errors"] == [], result
    return await _signatures(gql, world)


async def _confirm(adult: Any, events: list[AttendanceEvent], world: World, now: datetime) -> None:
    """As the family app does (the app's own window for confirming is not what is tested)."""
    await signatures.sign(
        adult, events, agency_id=world.agency.id, method=SignatureMethod.FAMILY_APP,
        device="family-app", now=now,
    )  # fmt: skip


async def _signatures(gql: GraphQLClient, world: World) -> dict[str, Any]:
    """Ava's Monday confirmed in the family app, her Tuesday sign-in drawn; Ben's Monday
    confirmed then corrected by staff (stale)."""
    ava, ben, _ = world.kids
    home = await household(world)
    now = gql.clock.now()
    monday = await _events(ava, MON)
    await _confirm(home.guardian_a, monday, world, now)
    tuesday_in = (await _events(ava, TUE))[0]
    await signatures.sign(
        home.guardian_a, [tuesday_in], agency_id=world.agency.id,
        method=SignatureMethod.DRAWN, device="test", now=now, strokes=STROKES,
    )  # fmt: skip
    ben_monday = await _events(ben, MON)
    await _confirm(home.guardian_a, ben_monday, world, now)
    staff = await gql.principal_for(await make.token_for(world.teacher))
    assert is_staff(staff)
    await corrections.correct_time(
        staff, ben_monday[1].id, local(ZONE, MON, "17:05"), "Typed late",
        bus=gql.bus, now=now, skew=timedelta(0),
    )  # fmt: skip
    return {"parent": home.guardian_a.display_name, "teacher": world.teacher}


async def test_a_month_report_shows_times_signers_absences_meals_and_totals(
    gql: GraphQLClient, world: World
) -> None:
    facts = await _month(gql, world)
    viewer = await make.token_for(world.viewer)
    span = {"classroomId": str(world.room.id), "from": "2026-03-01", "to": "2026-03-31"}
    body = await report(gql, viewer, **span, format="PDF", paper="A4")
    text = helpers.pdf_text(body)
    parent = facts["parent"]
    teacher = f"{world.teacher.first_name} {world.teacher.last_name}"
    assert "Attendance report" in text
    assert "Butterflies" in text
    assert "America/Chicago" in text
    assert "Lastname0, Ava" in text
    # Ava's Monday: times in the site's zone, the parent's name in place of the teacher's.
    monday = next(
        line for line in text.splitlines() if "Mon 2026-03-02" in line and "08:00" in line
    )
    assert "16:30" in monday
    assert "8.50" in monday
    assert parent in monday
    assert teacher not in monday
    # Ben's Monday out was corrected after his parent signed: the signature is stale.
    assert "17:05" in text
    assert "signature stale" in text
    # Ben's Tuesday: closed by the automatic check-out.
    assert "Automatic check-out" in text
    assert "Absent: Fiebre y tos" in text
    assert "Total for Lastname0, Ava: 2 days present, 0 absent, 15.42 hours, 2 meals" in text
    assert "Total for Butterflies: 3 children" in text
    assert "Meal counts per day" in text
    assert "Circle time" in text
    png = first_page_png(body)
    assert png.startswith(b"\x89PNG")
    assert len(png) > 2000

    rows = list(
        csv.reader(io.StringIO((await report(gql, viewer, **span, format="CSV")).decode("utf-8")))
    )
    assert rows[0] == COLUMNS
    by_key = {(r[2], r[0]): dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    assert len(rows) - 1 == 6  # Ava 2 days, Ben 3, Cleo 1 absence
    ava_mon = by_key[("Lastname0, Ava", "2026-03-02")]
    assert (ava_mon["first_in"], ava_mon["last_out"], ava_mon["hours"]) == (
        "08:00",
        "16:30",
        "8.50",
    )
    assert ava_mon["signed_in_by"] == parent
    assert ava_mon["signed_in_by_kind"] == "PARENT"
    assert ava_mon["meal_lunch"] == "1"
    assert ava_mon["meal_breakfast"] == "1"
    assert ava_mon["activities"] == "Circle time x1"
    ava_tue = by_key[("Lastname0, Ava", "2026-03-03")]
    assert ava_tue["signed_in_by"] == parent
    assert ava_tue["signed_out_by"] == teacher
    ben_mon = by_key[("Lastname1, Ben", "2026-03-02")]
    assert ben_mon["last_out"] == "17:05"
    assert ben_mon["signed_out_signature"] == "STALE"
    ben_tue = by_key[("Lastname1, Ben", "2026-03-03")]
    assert ben_tue["automatic_check_out"] == "yes"
    assert ben_tue["signed_out_by_kind"] == "SYSTEM"
    cleo = by_key[("Lastname2, Cleo", "2026-03-02")]
    assert (cleo["status"], cleo["absence_reason"]) == ("ABSENT", "Fiebre y tos")

    letter = await report(gql, viewer, **span, format="PDF", language="ES", paper="LETTER")
    spanish = helpers.pdf_text(letter)
    assert "Informe de asistencia" in spanish
    assert "Ausente: Fiebre y tos" in spanish
    assert "Salida automática" in spanish
    assert "Página 1 de" in spanish
    # Landscape A4 and US Letter, the header repeated on every page.
    assert page_size(body).startswith("841.89 x 595.2")
    assert page_size(body).endswith("(A4)")
    assert page_size(letter) == "792 x 612 pts (letter)"
    pages = page_count(body)
    assert pages >= 2
    assert text.count("Attendance report") == pages
    assert text.count(f"Page {pages} of {pages}") == 1
