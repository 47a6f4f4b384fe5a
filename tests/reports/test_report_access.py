"""Who may print what: the allowed call beside each refused one, and typed bad input."""

from __future__ import annotations

from typing import Any

import httpx

from tests import factories as make
from tests.family.helpers import account_for, household, parent_token
from tests.graphql import GraphQLClient
from tests.reports.helpers import REPORT, SHEET, ask, fetch, first_page_png, pdf_text, report
from tests.world import World

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


async def _codes(gql: GraphQLClient, token: str | None, document: str, **values: Any) -> list[str]:
    result = await gql.execute(document, {"i": values}, token=token)
    return result.codes


async def test_attendance_viewers_read_their_sites_reports_and_nothing_beyond(
    gql: GraphQLClient, world: World
) -> None:
    viewer = await make.token_for(world.viewer)
    for scope in ({"siteId": str(world.site.id)}, {"classroomId": str(world.room.id)}):
        payload = await ask(gql, viewer, "attendanceReport", **scope, **MARCH, format="CSV")
        assert payload["errors"] == []
        assert payload["download"]["filename"] == "attendance-2026-03-01-2026-03-31.csv"
    # Another site of the agency, another agency: not found, as if they did not exist.
    for scope in (
        {"siteId": str(world.other_site.id)},
        {"classroomId": str(world.other_room.id)},
        {"classroomId": str(world.foreign_room.id)},
        {"childId": str(world.foreign_kid.id)},
    ):
        assert await _codes(gql, viewer, REPORT, **scope, **MARCH) == ["NOT_FOUND"]
    foreign = await make.token_for(world.foreign_admin)
    assert await _codes(gql, foreign, REPORT, siteId=str(world.site.id), **MARCH) == ["NOT_FOUND"]


async def test_staff_without_attendance_view_kiosks_and_strangers_are_refused(
    gql: GraphQLClient, world: World
) -> None:
    scope = {"siteId": str(world.site.id), **MARCH}
    no_attendance = await make.token_for(world.students_viewer)
    assert await _codes(gql, no_attendance, REPORT, **scope) == ["FORBIDDEN"]
    _, kiosk = await make.kiosk(world.site, paired_by=world.admin)
    assert await _codes(gql, kiosk, REPORT, **scope) == ["FORBIDDEN"]
    sheet = {"classroomId": str(world.room.id), "weekOf": "2026-03-04"}
    assert await _codes(gql, kiosk, SHEET, **sheet) == ["FORBIDDEN"]
    assert await _codes(gql, no_attendance, SHEET, **sheet) == ["FORBIDDEN"]
    assert await _codes(gql, None, REPORT, **scope) == ["UNAUTHENTICATED"]


async def test_parents_read_only_their_own_childs_attendance_in_their_language(
    gql: GraphQLClient, world: World
) -> None:
    home = await household(world)
    # Guardian B reads Spanish: the report is in Spanish unless another language is asked.
    parent = await parent_token(await account_for(home.guardian_b))
    own = await ask(gql, parent, "attendanceReport", childId=str(world.kids[0].id), **MARCH)
    assert own["errors"] == []
    text = pdf_text(await fetch(gql, own["download"]["url"]))
    assert "Ava Lastname0" in text
    assert "Informe de asistencia" in text
    assert "No hay asistencia registrada en este período." in text
    other_family = await make.child(world.room, first_name="Dana")
    for scope in (
        {"childId": str(other_family.id)},
        {"childId": str(world.foreign_kid.id)},
        {"siteId": str(world.site.id)},
        {"classroomId": str(world.room.id)},
    ):
        assert await _codes(gql, parent, REPORT, **scope, **MARCH) == ["NOT_FOUND"]
    sheet = {"classroomId": str(world.room.id), "weekOf": "2026-03-04"}
    assert await _codes(gql, parent, SHEET, **sheet) == ["FORBIDDEN"]
    # Monthly attendance and nothing else: a week, or a month's days across two months.
    own_child = {"childId": str(world.kids[0].id)}
    for dates in (
        {"from": "2026-03-02", "to": "2026-03-08"},
        {"from": "2026-03-15", "to": "2026-04-14"},
        {"from": "2026-02-01", "to": "2026-02-27"},
    ):
        partial = await ask(gql, parent, "attendanceReport", **own_child, **dates)
        assert [e["code"] for e in partial["errors"]] == ["WHOLE_MONTH_ONLY"], dates
        assert partial["download"] is None
    february = await ask(
        gql, parent, "attendanceReport", **own_child, **{"from": "2026-02-01", "to": "2026-02-28"}
    )
    assert february["errors"] == []


async def test_bad_ranges_and_unknown_classrooms_answer_typed_errors(
    gql: GraphQLClient, world: World
) -> None:
    viewer = await make.token_for(world.viewer)
    room = {"classroomId": str(world.room.id)}
    too_long = await ask(
        gql, viewer, "attendanceReport", **room, **{"from": "2026-03-01", "to": "2026-04-01"}
    )
    assert [e["code"] for e in too_long["errors"]] == ["RANGE_TOO_LONG"]
    assert too_long["download"] is None
    reversed_ = await ask(
        gql, viewer, "attendanceReport", **room, **{"from": "2026-03-10", "to": "2026-03-09"}
    )
    assert [(e["code"], e["field"]) for e in reversed_["errors"]] == [("RANGE_REVERSED", "to")]
    nothing = await ask(gql, viewer, "attendanceReport", **MARCH)
    assert [e["code"] for e in nothing["errors"]] == ["SCOPE_REQUIRED"]
    unknown = "7f1d5a8e-0000-4000-8000-000000000000"
    assert await _codes(gql, viewer, REPORT, classroomId=unknown, **MARCH) == ["NOT_FOUND"]
    assert await _codes(gql, viewer, SHEET, classroomId=unknown, weekOf="2026-03-04") == [
        "NOT_FOUND"
    ]


async def test_blank_sheet_lists_the_week_and_each_enrolled_child_in_spanish_too(
    gql: GraphQLClient, world: World
) -> None:
    viewer = await make.token_for(world.viewer)
    sheet = {"classroomId": str(world.room.id), "weekOf": "2026-03-04"}
    body = await report(gql, viewer, "signInSheet", **sheet, paper="A4")
    text = pdf_text(body)
    assert "Sign-in/out sheet" in text
    assert "Week of 2026-03-02" in text
    for line in ("Lastname0, Ava", "Lastname1, Ben", "Lastname2, Cleo", "Fri 2026-03-06"):
        assert line in text
    assert "Time in" in text
    assert "Time out" in text
    assert first_page_png(body).startswith(b"\x89PNG")
    spanish = pdf_text(await report(gql, viewer, "signInSheet", **sheet, language="ES"))
    assert "Hora de entrada" in spanish
    assert "mié 2026-03-04" in spanish


async def test_the_link_serves_the_file_until_it_expires(
    gql: GraphQLClient, world: World, http: httpx.AsyncClient
) -> None:
    viewer = await make.token_for(world.viewer)
    payload = await ask(
        gql, viewer, "attendanceReport", siteId=str(world.site.id), **MARCH, format="CSV"
    )
    path = payload["download"]["url"].split("://", 1)[1].split("/", 1)[1]
    answer = await http.get(f"/{path}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.headers["cache-control"] == "no-store"
    assert answer.content.startswith(b"date,classroom,child,")
    assert (await http.get("/reports/not-a-token")).status_code == 404
    gql.clock.advance(minutes=11)
    assert (await http.get(f"/{path}")).status_code == 404


async def test_the_sheet_has_a_weekend_day_only_when_a_child_is_scheduled_on_it(
    gql: GraphQLClient, world: World
) -> None:
    viewer = await make.token_for(world.viewer)
    weekdays_only = await make.classroom(world.site, "Owls")

    async def sheet() -> str:
        owls = {"classroomId": str(weekdays_only.id), "weekOf": "2026-03-07"}
        return pdf_text(await report(gql, viewer, "signInSheet", **owls))

    await make.child(weekdays_only, first_name="Dana", weekdays="12345")
    await make.child(weekdays_only, first_name="Eli", weekdays="135")
    text = await sheet()
    assert "Fri 2026-03-06" in text
    assert "Sat 2026-03-07" not in text
    assert "Sun 2026-03-08" not in text

    # A child who comes on Saturdays brings Saturday onto the sheet, for every child.
    await make.child(weekdays_only, first_name="Finn", weekdays="16")
    text = await sheet()
    assert "Sat 2026-03-07" in text
    assert "Sun 2026-03-08" not in text
    assert text.count("Sat 2026-03-07") == 3
