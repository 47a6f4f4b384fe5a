"""Done when: connect, match three ways, a day reaches the state once, a correction goes
with the Monday send, a closed period is an error with the state's reason, a range re-send."""

from __future__ import annotations

from datetime import UTC, date, datetime

from auth import sealed
from models.attendance import AttendanceEvent, EventKind
from models.audit import AuditEntry
from models.subsidy import SubsidyConnection
from server.settings import Settings
from tests.attendance.day_close_helpers import local, sign
from tests.clock import FrozenClock
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient
from tests.subsidy.conftest import BORN, PASSWORD, PROVIDER
from tests.subsidy.helpers import (
    CORRECT,
    COUNTS,
    DAYS,
    MATCHES,
    RESEND,
    TRANSMISSIONS,
    connect,
    exporter,
    run,
    use_state,
)
from tests.subsidy.state_server import StateSystemServer
from tests.world import World

CHICAGO = "America/Chicago"
WEDNESDAY = date(2026, 3, 4)


async def _statuses(
    gql: GraphQLClient, world: World, on: str = "2026-03-04"
) -> dict[str, tuple[str, str, str, str]]:
    data = await run(gql, world.viewer, DAYS, s=str(world.site.id), f="2026-03-01", t="2026-03-09")
    return {
        d["child"]["firstName"]: (d["status"], d["reason"], d["stateMessage"], d["whatToDo"])
        for d in data["subsidyDays"]
        if d["date"] == on
    }


async def _correct_out(gql: GraphQLClient, world: World, child_id: str, hour: int) -> None:
    latest = (
        await AttendanceEvent.filter(child_id=child_id, kind=EventKind.SIGN_OUT)
        .order_by("-recorded_at", "-occurred_at")
        .first()
    )
    assert latest is not None
    at = local(CHICAGO, WEDNESDAY, hour, 0)
    data = await run(
        gql,
        world.teacher,
        CORRECT,
        i={"eventId": str(latest.id), "at": at.isoformat(), "reason": "Left later"},
    )
    assert data["correctAttendanceTime"]["errors"] == []


async def test_the_whole_export(
    gql: GraphQLClient,
    settings: Settings,
    world: World,
    state: StateSystemServer,
    clock: FrozenClock,
) -> None:
    ava, ben, cleo = world.kids
    ava.state_subsidy_id = "S-AVA"
    await ava.save()
    state.add_child(PROVIDER, "S-AVA", "Ava", "Someone Else", date(2021, 1, 1))
    state.add_child(PROVIDER, "S-BEN", ben.first_name, ben.last_name, BORN)
    state.add_child(PROVIDER, "S-CLEO", "cleo", cleo.last_name.upper(), BORN)
    use_state(gql, settings, state)
    site = str(world.site.id)

    # A wrong password is refused at connect time, and nothing is stored.
    refused = await connect(gql, world.admin, site, password="not-the-password")
    assert [e["code"] for e in refused["errors"]] == ["CREDENTIALS_REFUSED"]
    assert not await SubsidyConnection.exists(site_id=world.site.id)
    ok = await connect(gql, world.admin, site)
    assert ok["errors"] == []
    assert ok["connection"]["connected"] is True
    stored = await SubsidyConnection.get(site_id=world.site.id)
    assert stored.password_sealed is not None
    assert PASSWORD not in stored.password_sealed
    assert sealed.unseal(TEST_KEYRING, stored.password_sealed) == PASSWORD
    audits = await AuditEntry.filter(action="subsidy.connect").values_list("data", flat=True)
    assert PASSWORD not in str(audits)

    worker = exporter(state, clock)
    try:
        await worker.run_once()
        rows = (await run(gql, world.admin, MATCHES, s=site))["subsidyMatches"]
        by_name = {r["child"]["firstName"]: r for r in rows}
        assert (by_name["Ava"]["status"], by_name["Ava"]["method"]) == ("MATCHED", "BY_ID")
        assert (by_name["Ben"]["status"], by_name["Ben"]["method"]) == ("MATCHED", "BY_NAME")
        assert by_name["Cleo"]["status"] == "NEEDS_REVIEW"
        assert [c["stateId"] for c in by_name["Cleo"]["candidates"]] == ["S-CLEO"]

        # Signed in: nothing goes before the check-out.
        await sign(gql, world.teacher, world.room, [ava, ben, cleo])
        await worker.run_once()
        assert state.accepted == 0
        statuses = await _statuses(gql, world)
        assert statuses["Ava"][:2] == ("OUT_OF_SYNC", "NOT_CHECKED_OUT")
        assert statuses["Cleo"][:2] == ("ERROR", "NO_MATCH")

        clock.set(local(CHICAGO, WEDNESDAY, 16, 0))
        await sign(gql, world.teacher, world.room, [ava, ben, cleo], out=True)
        await worker.run_once()
        await worker.run_once()
        assert state.accepted == 2
        assert len(state.versions(PROVIDER, "S-AVA", WEDNESDAY)) == 1
        assert (await _statuses(gql, world))["Ava"][0] == "TRANSFERRED"

        # A correction after the transfer: out of sync at once, sent with the Monday send.
        await _correct_out(gql, world, str(ava.id), 15)
        assert (await _statuses(gql, world))["Ava"][:2] == ("OUT_OF_SYNC", "CHANGED")
        clock.set(datetime(2026, 3, 9, 15, 0, tzinfo=UTC))  # Monday 10:00 in Chicago
        await worker.run_once()
        versions = state.versions(PROVIDER, "S-AVA", WEDNESDAY)
        assert len(versions) == 2
        assert versions[-1]["sessions"][0]["out"] == local(CHICAGO, WEDNESDAY, 15, 0).isoformat()
        # Ben's unchanged day went again with the week, and the state counted it once.
        assert len(state.versions(PROVIDER, "S-BEN", WEDNESDAY)) == 1
        sent = (await run(gql, world.viewer, TRANSMISSIONS, s=site, c=str(ben.id), d="2026-03-04"))[
            "subsidyTransmissions"
        ]
        assert [(t["cause"], t["outcome"]) for t in sent] == [
            ("CHECK_OUT", "TRANSFERRED"),
            ("WEEKLY", "TRANSFERRED"),
        ]
        assert sent[0]["idempotencyKey"] == sent[1]["idempotencyKey"]

        # The state closes March: Monday's day is refused with the state's reason.
        state.closed[PROVIDER] = [(date(2026, 3, 1), date(2026, 3, 31))]
        await sign(gql, world.teacher, world.room, [ava])
        clock.advance(minutes=30)
        await sign(gql, world.teacher, world.room, [ava], out=True)
        await worker.run_once()
        status, reason, message, advice = (await _statuses(gql, world, "2026-03-09"))["Ava"]
        assert (status, reason) == ("ERROR", "REFUSED")
        assert "closed" in message
        assert "reopen" in advice
        assert "not sent again by itself" in advice
        await worker.run_once()  # a refused version is not sent again by itself
        monday = await run(gql, world.viewer, TRANSMISSIONS, s=site, c=str(ava.id), d="2026-03-09")
        assert [t["answerCode"] for t in monday["subsidyTransmissions"]] == ["PERIOD_CLOSED"]

        # The state reopens it; staff re-send the range by hand.
        state.closed.clear()
        data = await run(
            gql,
            world.teacher,
            RESEND,
            i={"siteId": site, "fromDate": "2026-03-01", "toDate": "2026-03-09"},
        )
        assert data["resendSubsidyDays"] == {"days": 4, "errors": []}
        await worker.run_once()
    finally:
        await worker.aclose()
    statuses = await _statuses(gql, world)
    assert statuses["Ava"][0] == statuses["Ben"][0] == "TRANSFERRED"
    assert (await _statuses(gql, world, "2026-03-09"))["Ava"][0] == "TRANSFERRED"
    assert len(state.versions(PROVIDER, "S-AVA", WEDNESDAY)) == 2
    assert len(state.versions(PROVIDER, "S-AVA", date(2026, 3, 9))) == 1
    counts = await run(gql, world.viewer, COUNTS, s=site, f="2026-03-01", t="2026-03-09")
    assert counts["subsidyCounts"] == {"transferred": 3, "outOfSync": 0, "error": 1}
    assert await AuditEntry.filter(action="subsidy.resend").count() == 1
