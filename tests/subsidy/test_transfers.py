"""Matching re-runs, bad answers that never lose a day, and sends once with two workers."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from models.subsidy import MatchStatus, SubsidyAttempt, SubsidyMatch, SubsidySweep
from server.settings import Settings
from services.subsidy_matching import match_one
from services.subsidy_transfers import purge_expired
from tests.attendance.day_close_helpers import local, sign
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.subsidy.conftest import BORN, PROVIDER
from tests.subsidy.helpers import DAYS, connect, exporter, run, use_state
from tests.subsidy.state_server import StateSystemServer
from tests.world import World

CHICAGO = "America/Chicago"
WEDNESDAY = date(2026, 3, 4)


@pytest.fixture
async def ready(
    gql: GraphQLClient, settings: Settings, world: World, state: StateSystemServer
) -> World:
    """Ava matched by ID; the site connected."""
    ava = world.kids[0]
    ava.state_subsidy_id = "S-AVA"
    await ava.save()
    state.add_child(PROVIDER, "S-AVA", "Ava", "Lastname0", BORN)
    use_state(gql, settings, state)
    assert (await connect(gql, world.admin, str(world.site.id)))["errors"] == []
    return world


async def _day_of(gql: GraphQLClient, world: World) -> dict[str, str]:
    data = await run(gql, world.viewer, DAYS, s=str(world.site.id), f="2026-03-01", t="2026-03-31")
    [day] = [d for d in data["subsidyDays"] if d["child"]["firstName"] == "Ava"]
    return {"status": day["status"], "reason": day["reason"], "message": day["stateMessage"]}


def test_near_misses_go_to_review_never_matched(world: World) -> None:
    kid = world.kids[0]
    kid.middle_name = "Rose"
    row = {"stateId": "S", "firstName": kid.first_name, "lastName": kid.last_name}
    born = {"dateOfBirth": BORN.isoformat()}
    assert match_one(kid, [row | born | {"middleName": "Rose"}]).status is MatchStatus.MATCHED
    assert match_one(kid, [row | born]).status is MatchStatus.NEEDS_REVIEW
    upper = row | born | {"middleName": "ROSE", "firstName": kid.first_name.upper()}
    assert match_one(kid, [upper]).status is MatchStatus.NEEDS_REVIEW
    twins = [row | born | {"middleName": "Rose"}, row | born | {"middleName": "Rose"}]
    assert match_one(kid, twins).status is MatchStatus.NEEDS_REVIEW
    other_day = row | {"dateOfBirth": "2020-01-01", "middleName": "Rose"}
    assert match_one(kid, [other_day]).status is MatchStatus.NOT_FOUND


async def test_a_changed_child_record_is_matched_again(
    ready: World, state: StateSystemServer, clock: FrozenClock
) -> None:
    ben = ready.kids[1]
    state.add_child(PROVIDER, "S-BEN", "Benjamin", ben.last_name, BORN)
    worker = exporter(state, clock)
    try:
        await worker.run_once()
        held = await SubsidyMatch.get(child_id=ben.id)
        assert held.status is MatchStatus.NOT_FOUND
        ben.first_name = "Benjamin"
        await ben.save()
        fetches = sum(1 for r in state.requests if r[1].endswith("/children"))
        await worker.run_once()
    finally:
        await worker.aclose()
    held = await SubsidyMatch.get(child_id=ben.id)
    assert (held.status, held.state_id) == (MatchStatus.MATCHED, "S-BEN")
    # Matched against the list already fetched: no new fetch for a record change.
    assert sum(1 for r in state.requests if r[1].endswith("/children")) == fetches


async def test_bad_answers_keep_the_day_and_it_goes_again(
    gql: GraphQLClient, ready: World, state: StateSystemServer, clock: FrozenClock
) -> None:
    ava = ready.kids[0]
    await sign(gql, ready.teacher, ready.room, [ava])
    worker = exporter(state, clock)
    try:
        await worker.run_once()  # matching; nothing to send before the check-out
        clock.set(local(CHICAGO, WEDNESDAY, 16, 0))
        await sign(gql, ready.teacher, ready.room, [ava], out=True)
        state.script += [(503, "{}"), (503, "{}")]
        await worker.run_once()
        assert await _day_of(gql, ready) == {
            "status": "OUT_OF_SYNC",
            "reason": "STATE_UNAVAILABLE",
            "message": "state system unavailable: HTTP 503",
        }
        await worker.run_once()  # still backing off
        assert await SubsidyAttempt.all().count() == 1
        state.script.append((200, "{not json"))
        clock.advance(minutes=5)
        await worker.run_once()
        assert (await _day_of(gql, ready))["reason"] == "STATE_UNAVAILABLE"
        clock.advance(minutes=10)
        await worker.run_once()
    finally:
        await worker.aclose()
    assert (await _day_of(gql, ready))["status"] == "TRANSFERRED"
    outcomes = await SubsidyAttempt.all().order_by("started_at").values_list("outcome", flat=True)
    assert outcomes == ["RETRY", "RETRY", "TRANSFERRED"]
    assert len(state.versions(PROVIDER, "S-AVA", WEDNESDAY)) == 1


async def test_two_workers_send_each_day_and_each_sweep_once(
    gql: GraphQLClient, ready: World, state: StateSystemServer, clock: FrozenClock
) -> None:
    ava = ready.kids[0]
    await sign(gql, ready.teacher, ready.room, [ava])
    one, two = exporter(state, clock), exporter(state, clock)
    try:
        await one.run_once()  # matching
        clock.set(local(CHICAGO, WEDNESDAY, 16, 0))
        await sign(gql, ready.teacher, ready.room, [ava], out=True)
        await asyncio.gather(one.run_once(), two.run_once())
        assert await SubsidyAttempt.all().count() == 1
        # April 1st in Chicago: the month of March goes again, once for the site.
        clock.set(datetime(2026, 4, 1, 14, 0, tzinfo=UTC))
        await asyncio.gather(one.run_once(), two.run_once())
        await one.run_once()
    finally:
        await one.aclose()
        await two.aclose()
    sweeps = await SubsidySweep.all().values_list("cause", "period_start", "period_end")
    assert ("MONTHLY", date(2026, 3, 1), date(2026, 3, 31)) in sweeps
    assert len(sweeps) == len(set(sweeps))
    causes = await SubsidyAttempt.all().order_by("started_at").values_list("cause", flat=True)
    assert causes.count("MONTHLY") == 1
    assert len(state.versions(PROVIDER, "S-AVA", WEDNESDAY)) == 1


async def test_attempts_past_their_keep_until_date_are_deleted_by_the_worker(
    gql: GraphQLClient, ready: World, state: StateSystemServer, clock: FrozenClock
) -> None:
    ava = ready.kids[0]
    await sign(gql, ready.teacher, ready.room, [ava])
    clock.set(local(CHICAGO, WEDNESDAY, 16, 0))
    await sign(gql, ready.teacher, ready.room, [ava], out=True)
    worker = exporter(state, clock)
    try:
        await worker.run_once()
        [sent] = await SubsidyAttempt.all()
        # Six years (the agency's retention) from the day it was sent.
        assert sent.keep_until == date(2032, 3, 4)
        [fields] = await SubsidyAttempt.filter(id=sent.id).values()
        del fields["id"]
        await SubsidyAttempt.create(**(fields | {"keep_until": date(2030, 1, 1)}))
        clock.set(datetime(2032, 3, 4, 23, 0, tzinfo=UTC))
        assert (await worker.run_once()).purged == 1
        assert await SubsidyAttempt.filter(id=sent.id).exists()  # its last day: kept
        await SubsidyAttempt.create(**(fields | {"keep_until": date(2031, 1, 1)}))
        clock.advance(days=1)
        assert await purge_expired(clock.now().date(), limit=1) == 1  # a bounded batch
        assert (await worker.run_once()).purged == 1
    finally:
        await worker.aclose()
    assert await SubsidyAttempt.all().count() == 0
    assert (await _day_of(gql, ready))["status"] == "TRANSFERRED"


async def test_reconnecting_after_refused_credentials_sends_the_refused_days_again(
    gql: GraphQLClient, ready: World, state: StateSystemServer, clock: FrozenClock
) -> None:
    ava = ready.kids[0]
    await sign(gql, ready.teacher, ready.room, [ava])
    worker = exporter(state, clock)
    try:
        await worker.run_once()  # matching
        clock.set(local(CHICAGO, WEDNESDAY, 16, 0))
        await sign(gql, ready.teacher, ready.room, [ava], out=True)
        state.providers[PROVIDER] = "a-new-password-from-the-state"
        await worker.run_once()
        assert (await _day_of(gql, ready))["status"] == "ERROR"
        data = await run(
            gql, ready.viewer, DAYS, s=str(ready.site.id), f="2026-03-04", t="2026-03-04"
        )
        assert "connects the site again" in data["subsidyDays"][0]["whatToDo"]
        await worker.run_once()  # the same content refused: not tried again by itself
        assert await SubsidyAttempt.all().count() == 1
        reconnected = await connect(
            gql, ready.admin, str(ready.site.id), "a-new-password-from-the-state"
        )
        assert reconnected["errors"] == []
        await worker.run_once()
    finally:
        await worker.aclose()
    assert (await _day_of(gql, ready))["status"] == "TRANSFERRED"
    attempts = await SubsidyAttempt.all().order_by("started_at").values_list("answer_code", "cause")
    assert attempts == [("CREDENTIALS_REFUSED", "CHECK_OUT"), ("ACCEPTED", "MANUAL")]
    assert len(state.versions(PROVIDER, "S-AVA", WEDNESDAY)) == 1
