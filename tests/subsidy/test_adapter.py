"""The HTTP/JSON adapter and the CSV export against a real local state system."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from integrations.subsidy import (
    AnswerCode,
    CredentialsRefused,
    CsvFileExport,
    DayRecord,
    HttpStateSystem,
    StateCredentials,
    StateUnavailable,
)
from tests.subsidy.conftest import BORN, PASSWORD, PROVIDER
from tests.subsidy.state_server import StateSystemServer

GOOD = StateCredentials(PROVIDER, PASSWORD)
DAY = date(2026, 3, 2)


def _record(version: str = "a" * 64, out: str = "2026-03-02T22:00:00+00:00") -> DayRecord:
    body = {
        "childId": "S-1",
        "date": DAY.isoformat(),
        "sessions": [{"in": "2026-03-02T14:00:00+00:00", "out": out}],
        "absent": False,
        "absenceReason": "",
        "entries": [],
        "contentHash": version,
    }
    return DayRecord("S-1", DAY, body, version)


def _client(state: StateSystemServer, **options: object) -> HttpStateSystem:
    return HttpStateSystem(state.url, backoff_base=0.001, timeout=2.0, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("auth", ["basic", "bearer"])
async def test_credentials_are_checked_both_ways(state: StateSystemServer, auth: str) -> None:
    client = _client(state, auth=auth)
    try:
        await client.check_credentials(GOOD)
        with pytest.raises(CredentialsRefused):
            await client.check_credentials(StateCredentials(PROVIDER, "wrong"))
    finally:
        await client.aclose()
    assert "wrong" not in repr(StateCredentials(PROVIDER, "wrong"))


async def test_children_list_and_a_send_counted_once_per_version(state: StateSystemServer) -> None:
    state.add_child(PROVIDER, "S-1", "Ava", "Lopez", BORN, middle="Maria")
    client = _client(state)
    try:
        children = await client.list_children(GOOD)
        assert [(c.state_id, c.middle_name, c.date_of_birth) for c in children] == [
            ("S-1", "Maria", BORN)
        ]
        first = await client.submit_day(GOOD, _record())
        again = await client.submit_day(GOOD, _record())
        changed = await client.submit_day(GOOD, _record("b" * 64, "2026-03-02T23:00:00+00:00"))
    finally:
        await client.aclose()
    assert first.accepted
    assert again.accepted
    assert changed.accepted
    assert first.receipt == again.receipt
    assert len(state.versions(PROVIDER, "S-1", DAY)) == 2
    keys = {r[2]["idempotency-key"] for r in state.requests if r[0] == "PUT"}
    assert len(keys) == 2


async def test_429_and_5xx_are_retried_then_given_up(state: StateSystemServer) -> None:
    state.add_child(PROVIDER, "S-1", "Ava", "Lopez", BORN)
    state.script += [(429, "{}"), (503, "{}")]
    client = _client(state, attempts=3)
    try:
        answer = await client.submit_day(GOOD, _record())
        assert answer.accepted
        state.script += [(500, "{}")] * 3
        failed = await client.submit_day(GOOD, _record("c" * 64))
    finally:
        await client.aclose()
    assert failed.code is AnswerCode.UNAVAILABLE
    assert "500" in failed.message
    assert len(state.versions(PROVIDER, "S-1", DAY)) == 1


@pytest.mark.parametrize(
    ("status", "raw", "code"),
    [
        (200, "not json{", AnswerCode.UNAVAILABLE),
        (200, '{"status": "error", "message": "child not eligible"}', AnswerCode.VALIDATION),
        (200, "[1, 2]", AnswerCode.UNAVAILABLE),
        (403, "{}", AnswerCode.CREDENTIALS_REFUSED),
    ],
)
async def test_bad_answers_are_never_an_acceptance(
    state: StateSystemServer, status: int, raw: str, code: AnswerCode
) -> None:
    state.script.append((status, raw))
    client = _client(state)
    try:
        answer = await client.submit_day(GOOD, _record())
    finally:
        await client.aclose()
    assert answer.code is code
    assert not answer.accepted


async def test_closed_period_and_validation_carry_the_state_message(
    state: StateSystemServer,
) -> None:
    state.add_child(PROVIDER, "S-1", "Ava", "Lopez", BORN)
    state.closed[PROVIDER] = [(date(2026, 3, 1), date(2026, 3, 31))]
    client = _client(state)
    try:
        closed = await client.submit_day(GOOD, _record())
        unknown = await client.submit_day(GOOD, DayRecord("S-9", DAY, _record().body, "d" * 64))
    finally:
        await client.aclose()
    assert closed.code is AnswerCode.PERIOD_CLOSED
    assert "closed" in closed.message
    assert unknown.code is AnswerCode.VALIDATION
    assert "unknown child" in unknown.message


async def test_nobody_listening_is_unavailable() -> None:
    from tests.notifications.servers import free_port

    client = HttpStateSystem(f"http://127.0.0.1:{free_port()}", backoff_base=0.001, attempts=2)
    try:
        answer = await client.submit_day(GOOD, _record())
        with pytest.raises(StateUnavailable):
            await client.list_children(GOOD)
    finally:
        await client.aclose()
    assert answer.code is AnswerCode.UNAVAILABLE


async def test_csv_export_writes_the_same_day(tmp_path: Path) -> None:
    export = CsvFileExport(tmp_path)
    await export.check_credentials(GOOD)
    answer = await export.submit_day(GOOD, _record())
    assert answer.accepted
    written = (tmp_path / PROVIDER / DAY.isoformat() / "S-1.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(written)))
    assert rows[0]["state_child_id"] == "S-1"
    assert rows[0]["sign_out"].startswith("2026-03-02T22")
    assert await export.list_children(GOOD) == []
