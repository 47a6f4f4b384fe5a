"""importRoster refuses a file with any bad row, naming each row's line, column and code,
and writes nothing."""

from __future__ import annotations

from typing import Any

from models.org import Classroom, Program
from services import roster_import
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient
from tests.people.roster_helpers import IMPORT, csv_text, row, variables
from tests.people.test_roster_import import _counts
from tests.sites.helpers import payload
from tests.world import World


async def _import(gql: GraphQLClient, world: World, text: str) -> dict[str, Any]:
    token = await make.token_for(world.admin)
    return payload(
        await gql.execute(IMPORT, variables(world.site.id, text), token=token), "importRoster"
    )


def _placed(found: dict[str, Any]) -> list[tuple[int | None, str | None, str]]:
    return [(e["line"], e["column"], e["code"]) for e in found["errors"]]


async def test_every_bad_row_is_named_and_nothing_is_written(
    gql: GraphQLClient, world: World
) -> None:
    await Program.create(agency=world.agency, name="Pre-K")
    await make.classroom(world.site, "Caterpillars")
    await Classroom.create(site=world.site, name="Old room", archived_at=gql.clock.now())
    await Program.create(agency=world.agency, name="Old program", archived_at=gql.clock.now())
    b = {"guardian_b_first_name": "Jo", "guardian_b_last_name": "Lopez"}
    rows = [
        row(child_date_of_birth="2026-03-05"),  # 2: born tomorrow
        row(child_first_name="B", end_date="2026-08-31"),  # 3: ends before it starts
        row(child_first_name="C", classroom="Nowhere", program="Post-K"),  # 4
        row(child_first_name="D", guardian_a_phone="12345"),  # 5
        row(child_first_name="E", guardian_b_email="jo@", **b),  # 6
        row(child_first_name="F", weekdays="Funday"),  # 7
        row(child_first_name="G", pickup_first_name="Rosa", pickup_last_name="G"),  # 8
        row(child_first_name="H", start_date="2026-13-01"),  # 9
        row(child_first_name="I"),  # 10: valid
        row(child_first_name="i"),  # 11: the same child as line 10
        row(child_first_name=""),  # 12
        row(child_first_name="K", guardian_a_preferred_contact="fax"),  # 13
        # 14: the world's Ava, enrolled in Butterflies since 2020, into another room
        row(
            child_first_name="Ava",
            child_last_name="Lastname0",
            child_date_of_birth="2021-05-17",
            classroom="Caterpillars",
        ),
        row(child_first_name="N", classroom="old  ROOM"),  # 15
        row(child_first_name="O", guardian_a_authorized_pickup="yes", guardian_a_phone=""),  # 16
        row(child_first_name="P", program="Old Program"),  # 17
    ]
    before = await _counts()
    found = await _import(gql, world, csv_text(rows))
    assert (found["written"], found["counts"], found["rows"]) == (False, None, 16)
    assert _placed(found) == [
        (2, "child_date_of_birth", "IMPLAUSIBLE_DATE_OF_BIRTH"),
        (3, "end_date", "END_BEFORE_START"),
        (4, "classroom", "UNKNOWN_CLASSROOM"),
        (4, "program", "UNKNOWN_PROGRAM"),
        (5, "guardian_a_phone", "INVALID_PHONE"),
        (6, "guardian_b_email", "INVALID_EMAIL"),
        (7, "weekdays", "INVALID_WEEKDAYS"),
        (8, "pickup_phone", "PICKUP_NEEDS_PHONE"),
        (9, "start_date", "INVALID_DATE"),
        (11, "child_first_name", "DUPLICATE_ROW"),
        (12, "child_first_name", "REQUIRED"),
        (13, "guardian_a_preferred_contact", "INVALID_VALUE"),
        (14, "start_date", "OVERLAPPING_ENROLLMENT"),
        (15, "classroom", "CLASSROOM_ARCHIVED"),
        (16, "guardian_a_phone", "PICKUP_NEEDS_PHONE"),
        (17, "program", "ARCHIVED"),
    ]
    assert {e["field"] for e in found["errors"]} == {"csv"}
    assert "line 10" in found["errors"][9]["message"]
    assert await _counts() == before


async def test_wrong_columns_are_named_on_the_header_line(gql: GraphQLClient, world: World) -> None:
    text = csv_text([row()])
    header, rest = text.split("\r\n", 1)
    renamed = header.replace("child_last_name", "surname").replace(",weekdays", "")
    found = await _import(gql, world, renamed + "\r\n" + rest)
    assert _placed(found) == [
        (1, "surname", "UNKNOWN_COLUMN"),
        (1, "child_last_name", "MISSING_COLUMN"),
        (1, "weekdays", "MISSING_COLUMN"),
    ]
    twice = await _import(gql, world, header + ",classroom\r\n")
    assert _placed(twice) == [(1, "classroom", "DUPLICATE_COLUMN")]
    short = await _import(gql, world, text + "Ava,Lopez\r\n")
    assert _placed(short) == [(3, None, "WRONG_FIELD_COUNT")]
    assert _placed(await _import(gql, world, "")) == [(1, None, "EMPTY_FILE")]
    assert _placed(await _import(gql, world, header + "\r\n\r\n")) == [(None, None, "EMPTY_FILE")]


async def test_columns_in_any_order_with_a_byte_order_mark_are_read(
    gql: GraphQLClient, world: World
) -> None:
    columns = sorted(row())
    found = await _import(gql, world, "\ufeff" + csv_text([row()], columns))
    assert found["errors"] == []
    assert found["counts"]["childrenCreated"] == 1


async def test_text_that_is_not_utf8_is_refused(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    text = csv_text([row(), row(child_first_name="José")])
    principal = await gql.principal_for(await make.token_for(world.admin))
    report = await roster_import.import_roster(
        principal,  # type: ignore[arg-type]
        world.site.id,
        text.encode("latin-1"),
        dry_run=False,
        secret=TEST_KEYRING,
        now=clock.now(),
    )
    assert [(e.line, e.error.code.value) for e in report.errors] == [(3, "NOT_UTF8")]
    # Bytes as UTF-8 with a byte order mark (what spreadsheets save) are fine.
    fine = await roster_import.import_roster(
        principal,  # type: ignore[arg-type]
        world.site.id,
        text.encode("utf-8-sig"),
        dry_run=True,
        secret=TEST_KEYRING,
        now=clock.now(),
    )
    assert fine.errors == []
    # Over GraphQL the text arrives decoded: a replacement character betrays a bad decode.
    found = await _import(gql, world, text.replace("José", "Jos\ufffd"))
    assert _placed(found) == [(3, None, "NOT_UTF8")]
