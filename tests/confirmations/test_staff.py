"""Staff correct times (the original stays), reset signatures and ask parents again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from models.attendance import AttendanceEvent, AttendanceSession
from models.audit import AuditEntry
from models.notifications import Notification
from models.org import Site
from models.people import ContactMethod, Language
from models.signatures import ParentSignature
from services import messages
from tests import factories as make
from tests.confirmations.helpers import (
    CORRECT,
    REQUEST,
    RESET,
    SIGN_IN,
    SIGN_OUT,
    Scene,
    confirm,
    data,
    roster_events,
    scene,
    staff_day,
    today_at,
    unconfirmed,
)
from tests.graphql import GraphQLClient
from tests.world import World


@pytest.fixture
async def s(world: World) -> Scene:
    return await scene(world)


async def _signed_day(gql: GraphQLClient, s: Scene) -> list[dict[str, Any]]:
    """The staff day, confirmed by guardian A; returns today's roster events."""
    await staff_day(gql, s)
    ids = [e["id"] for e in await unconfirmed(gql, s.parent)]
    assert (await confirm(gql, s.parent, ids))["errors"] == []
    return await roster_events(gql, s)


async def _correct(
    gql: GraphQLClient, token: str, event_id: str, at: datetime, reason: str = "Clock was off"
) -> Any:
    variables = {"i": {"eventId": event_id, "at": at.isoformat(), "reason": reason}}
    return await gql.execute(CORRECT, variables, token=token)


async def test_a_correction_keeps_the_original_moves_the_time_and_asks_again(
    gql: GraphQLClient, s: Scene
) -> None:
    sign_in = next(e for e in await _signed_day(gql, s) if e["kind"] == "SIGN_IN")
    original = await AttendanceEvent.get(id=sign_in["id"])
    new_time = today_at(s.world, 0.4).replace(microsecond=0)
    published_before = len(gql.broadcast.published)

    payload = data(await _correct(gql, s.teacher, sign_in["id"], new_time))
    result = payload["correctAttendanceTime"]
    assert result["errors"] == []
    correction = result["correction"]
    assert correction["correctsId"] == sign_in["id"]
    assert (correction["kind"], correction["actorKind"], correction["source"]) == (
        "SIGN_IN",
        "STAFF",
        "STAFF_ENTRY",
    )
    assert correction["reason"] == "Clock was off"
    assert datetime.fromisoformat(result["entry"]["signedInAt"]) == new_time

    # The original is exactly as it was; the session now points at the correction.
    again = await AttendanceEvent.get(id=original.id)
    assert (again.occurred_at, again.reason, again.corrects_id) == (
        original.occurred_at,
        original.reason,
        None,
    )
    session = await AttendanceSession.get(child_id=s.ava.id)
    assert str(session.sign_in_event_id) == correction["id"]
    assert session.signed_in_at == new_time

    # The signature over the old time is stale; the correction waits for the parent.
    signature = await ParentSignature.get()
    assert signature.stale_at is not None
    # The stale signature no longer covers anything it signed: the parent signs the
    # corrected time, and the other entries of that signature, again.
    waiting = {w["id"]: w for w in await unconfirmed(gql, s.parent)}
    assert sign_in["id"] not in waiting
    assert len(waiting) == 3
    assert datetime.fromisoformat(waiting[correction["id"]]["correctedFrom"]) == (
        original.occurred_at
    )
    assert all(w["askedAgain"] for w in waiting.values())

    audit = await AuditEntry.get(action="attendance.correct")
    assert audit.data["before"] == {"at": original.occurred_at.isoformat()}
    assert audit.data["after"] == {"at": new_time.isoformat()}
    assert audit.data["stale_signature_ids"] == [str(signature.id)]

    events = {e["id"]: e for e in await roster_events(gql, s)}
    assert events[sign_in["id"]]["signatureStale"] is True
    assert events[sign_in["id"]]["signedBy"] is None
    assert events[sign_in["id"]]["needsConfirmation"] is False
    assert events[correction["id"]]["needsConfirmation"] is True
    # Live rosters heard of it.
    published = gql.broadcast.published[published_before:]
    assert any(m["event"]["id"] == correction["id"] for _, m in published)


async def test_impossible_corrections_are_refused_and_write_nothing(
    gql: GraphQLClient, s: Scene
) -> None:
    events = await _signed_day(gql, s)
    sign_in = next(e for e in events if e["kind"] == "SIGN_IN")
    sign_out = next(e for e in events if e["kind"] == "SIGN_OUT")
    absence = await AttendanceEvent.get(kind="ABSENT")
    before = (await AttendanceEvent.all().count(), await AuditEntry.all().count())
    now = gql.clock.now()
    cases = [
        (sign_out["id"], today_at(s.world, 0.2), "SIGN_OUT_BEFORE_SIGN_IN"),
        (sign_in["id"], today_at(s.world, 0.9), "SIGN_OUT_BEFORE_SIGN_IN"),
        (sign_in["id"], now + timedelta(hours=2), "FUTURE_TIME"),
        (sign_in["id"], today_at(s.world, 0.0) - timedelta(hours=1), "DIFFERENT_DAY"),
        (str(absence.id), today_at(s.world, 0.3), "NOT_CORRECTABLE"),
    ]
    for event_id, at, code in cases:
        payload = data(await _correct(gql, s.teacher, event_id, at))["correctAttendanceTime"]
        assert [e["code"] for e in payload["errors"]] == [code], (code, payload)
        assert payload["correction"] is None
    missing_reason = await _correct(gql, s.teacher, sign_in["id"], today_at(s.world, 0.3), " ")
    assert missing_reason.codes == ["BAD_USER_INPUT"]
    assert (await AttendanceEvent.all().count(), await AuditEntry.all().count()) == before
    assert (await ParentSignature.get()).stale_at is None


async def test_a_past_day_the_site_locks_cannot_be_corrected(gql: GraphQLClient, s: Scene) -> None:
    await Site.filter(id=s.world.site.id).update(allow_past_day_edits=True)
    yesterday = today_at(s.world, 0.5) - timedelta(days=1)
    room = str(s.world.room.id)
    for query, at in ((SIGN_IN, yesterday), (SIGN_OUT, yesterday + timedelta(minutes=30))):
        variables = {"i": {"childIds": [str(s.ava.id)], "classroomId": room, "at": at.isoformat()}}
        assert "errors" in str(data(await gql.execute(query, variables, token=s.teacher)))
    event = await AttendanceEvent.get(kind="SIGN_IN")
    await Site.filter(id=s.world.site.id).update(allow_past_day_edits=False)
    count = await AttendanceEvent.all().count()
    result = await _correct(gql, s.teacher, str(event.id), yesterday - timedelta(minutes=5))
    assert [e["code"] for e in data(result)["correctAttendanceTime"]["errors"]] == [
        "PAST_DAY_LOCKED"
    ]
    assert await AttendanceEvent.all().count() == count
    # With the switch on, the same correction is allowed and audited.
    await Site.filter(id=s.world.site.id).update(allow_past_day_edits=True)
    allowed = await _correct(gql, s.teacher, str(event.id), yesterday - timedelta(minutes=5))
    assert data(allowed)["correctAttendanceTime"]["errors"] == []


async def test_view_only_other_site_and_foreign_staff_are_refused(
    gql: GraphQLClient, s: Scene
) -> None:
    events = await _signed_day(gql, s)
    sign_in = next(e for e in events if e["kind"] == "SIGN_IN")
    signature_id = sign_in["signatureId"]
    at = today_at(s.world, 0.4).isoformat()
    operations = [
        (CORRECT, {"i": {"eventId": sign_in["id"], "at": at, "reason": "Late entry"}}),
        (RESET, {"i": {"signatureId": signature_id}}),
        (REQUEST, {"i": {"childId": str(s.ava.id)}}),
    ]
    viewer = await make.token_for(s.world.viewer)
    other_site = await make.token_for(s.world.other_site_teacher)
    foreign = await make.token_for(s.world.foreign_admin)
    before = (await AttendanceEvent.all().count(), await AuditEntry.all().count())
    for query, variables in operations:
        assert (await gql.execute(query, variables, token=viewer)).codes == ["FORBIDDEN"]
        assert (await gql.execute(query, variables, token=s.parent)).codes == ["FORBIDDEN"]
        for token in (other_site, foreign):
            assert (await gql.execute(query, variables, token=token)).codes == ["NOT_FOUND"]
    assert (await AttendanceEvent.all().count(), await AuditEntry.all().count()) == before
    assert (await ParentSignature.get()).reset_at is None
    assert await Notification.all().count() == 0


async def test_reset_makes_the_entries_unconfirmed_again(gql: GraphQLClient, s: Scene) -> None:
    events = await _signed_day(gql, s)
    signature_id = events[0]["signatureId"]
    assert signature_id is not None
    payload = data(await gql.execute(RESET, {"i": {"signatureId": signature_id}}, token=s.teacher))
    assert payload["resetParentSignature"]["errors"] == []
    assert payload["resetParentSignature"]["signature"]["reset"] is True
    stored = await ParentSignature.get(id=signature_id)
    assert stored.reset_at is not None
    assert str(stored.reset_by_id) == str(s.world.teacher.id)
    audit = await AuditEntry.get(action="attendance.reset_signature")
    assert audit.target_id == signature_id
    assert len(await unconfirmed(gql, s.parent)) == 3
    assert all(e["needsConfirmation"] for e in await roster_events(gql, s))

    twice = data(await gql.execute(RESET, {"i": {"signatureId": signature_id}}, token=s.teacher))
    assert [e["code"] for e in twice["resetParentSignature"]["errors"]] == ["ALREADY_RESET"]


async def test_request_confirmation_messages_each_guardian_in_their_language(
    gql: GraphQLClient, s: Scene
) -> None:
    nothing = data(await gql.execute(REQUEST, {"i": {"childId": str(s.ava.id)}}, token=s.teacher))
    assert [e["code"] for e in nothing["requestConfirmation"]["errors"]] == ["NOTHING_TO_CONFIRM"]

    await staff_day(gql, s)
    payload = data(await gql.execute(REQUEST, {"i": {"childId": str(s.ava.id)}}, token=s.teacher))
    results = {r["guardianId"]: r["outcome"] for r in payload["requestConfirmation"]["results"]}
    assert results == {str(s.home.guardian_a.id): "QUEUED", str(s.home.guardian_b.id): "QUEUED"}
    queued = {n.destination: n for n in await Notification.filter(template="confirmation_request")}
    english = queued[s.home.guardian_a.email or ""]
    spanish = queued["+15125550134"]
    assert (english.channel, english.language) == (ContactMethod.EMAIL, Language.EN)
    assert (spanish.channel, spanish.language) == (ContactMethod.SMS, Language.ES)
    assert english.params["link"] == f"{gql.settings.base_url}/confirm?lang=en"
    assert spanish.params["link"] == f"{gql.settings.base_url}/confirm?lang=es"
    assert english.params["child_first_name"] == "Ava"
    text = messages.render(
        "confirmation_request",
        language=Language.ES,
        channel=ContactMethod.SMS,
        params=spanish.params,
        secrets={},
    )
    assert "confirmar la asistencia de Ava" in text.body
    assert len(text.body) <= 160
    audit = await AuditEntry.get(action="attendance.request_confirmation")
    assert set(audit.data["outcomes"].values()) == {"QUEUED"}


async def test_request_confirmation_reports_each_guardian_it_could_not_reach(
    gql: GraphQLClient, s: Scene
) -> None:
    await staff_day(gql, s)
    await type(s.home.guardian_b).filter(id=s.home.guardian_b.id).update(email=None, phone=None)
    destination = s.home.guardian_a.email or ""
    for n in range(gql.settings.notification_destination_hourly_cap):
        await Notification.create(
            channel=ContactMethod.EMAIL,
            destination=destination,
            language=Language.EN,
            template="password_reset",
            dedupe_key=f"filler:{n}",
            next_attempt_at=gql.clock.now(),
        )
    payload = data(await gql.execute(REQUEST, {"i": {"childId": str(s.ava.id)}}, token=s.teacher))
    results = {r["guardianId"]: r["outcome"] for r in payload["requestConfirmation"]["results"]}
    assert results == {
        str(s.home.guardian_a.id): "TOO_MANY_MESSAGES",
        str(s.home.guardian_b.id): "NO_CONTACT",
    }
    assert await Notification.filter(template="confirmation_request").count() == 0
