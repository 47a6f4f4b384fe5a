"""Staff submit a finished period: one link per family, by its guardian's contact."""

from __future__ import annotations

from datetime import date, timedelta

from models.audit import AuditEntry
from models.notifications import Notification
from models.people import ContactMethod, Language
from models.signatures import AttendanceSubmission, SubmissionRequest
from server.settings import Settings
from tests import factories as make
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.submissions.helpers import (
    FROM,
    LIST,
    TO,
    Families,
    data,
    database_text,
    link_token,
    sent_link,
    sign,
    submit,
)
from tests.world import World


async def test_submitting_notifies_each_family_in_its_language_by_its_channel(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock, settings: Settings
) -> None:
    staff = await make.token_for(world.teacher)
    payload = await submit(gql, staff, world.site.id)

    assert payload["errors"] == []
    outcomes = {r["family"]: (r["outcome"], r["guardian"]) for r in payload["results"]}
    assert outcomes == {
        homes.ava.name: ("QUEUED", "Maria Lopez"),
        homes.ben.name: ("QUEUED", "Lucia Reyes"),
        homes.cleo.name: ("NO_GUARDIAN_CONTACT", None),
    }
    submission = payload["submission"]
    assert (submission["from"], submission["to"]) == (FROM.isoformat(), TO.isoformat())
    assert {r["status"] for r in submission["requests"]} == {"PENDING"}

    by_email = await Notification.get(destination="Maria.Lopez@Example.test")
    by_sms = await Notification.get(destination="+15125550134")
    assert (by_email.channel, by_email.language) == (ContactMethod.EMAIL, Language.EN)
    assert (by_sms.channel, by_sms.language) == (ContactMethod.SMS, Language.ES)
    for message in (by_email, by_sms):
        assert message.template == "attendance_submission"
        assert message.params["period_from"] == FROM.isoformat()
        assert "link" not in message.params
        assert "token" not in str(message.params)
        link = await sent_link(message.destination)
        # Built from the configured base URL, never from the request's Host header.
        assert link.startswith(settings.base_url.rstrip("/") + "/submit?token=")

    tokens = [
        await link_token("Maria.Lopez@Example.test"),
        await link_token("+15125550134"),
    ]
    assert len(set(tokens)) == 2
    stored = await database_text()
    for token in tokens:
        assert len(token) >= 22
        assert token not in stored
    assert await SubmissionRequest.filter(token_hash__in=tokens).count() == 0


async def test_the_submission_is_audited_without_its_links(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    staff = await make.token_for(world.teacher)
    payload = await submit(gql, staff, world.site.id)
    entry = await AuditEntry.get(action="submission.submit")
    assert entry.actor_id == str(world.teacher.id)
    assert entry.target_id == payload["submission"]["id"]
    assert entry.data["families"] == {
        str(homes.ava.id): "QUEUED",
        str(homes.ben.id): "QUEUED",
        str(homes.cleo.id): "NO_GUARDIAN_CONTACT",
    }
    token = await link_token("Maria.Lopez@Example.test")
    assert token not in str(entry.data)


async def test_only_a_finished_period_of_at_most_31_days_is_submitted(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    staff = await make.token_for(world.teacher)
    today = date(2026, 11, 23)  # in Chicago, on the test clock
    cases = [
        (TO, FROM, "INVALID_PERIOD"),
        (today - timedelta(days=3), today, "PERIOD_NOT_OVER"),
        (today + timedelta(days=1), today + timedelta(days=2), "PERIOD_NOT_OVER"),
        (date(2026, 10, 1), date(2026, 11, 1), "PERIOD_TOO_LONG"),
    ]
    for start, end, code in cases:
        payload = await submit(gql, staff, world.site.id, start, end)
        assert [e["code"] for e in payload["errors"]] == [code], (start, end)
        assert payload["submission"] is None
    assert await AttendanceSubmission.all().count() == 0
    assert await Notification.all().count() == 0
    # 31 days ending yesterday is fine.
    fine = await submit(gql, staff, world.site.id, date(2026, 10, 23), today - timedelta(days=1))
    assert fine["errors"] == []


async def test_a_period_before_anyone_was_enrolled_has_no_families(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    staff = await make.token_for(world.teacher)
    payload = await submit(gql, staff, world.site.id, date(2019, 1, 1), date(2019, 1, 31))
    assert [e["code"] for e in payload["errors"]] == ["NO_FAMILIES"]
    assert await AttendanceSubmission.all().count() == 0


async def test_the_configured_hourly_cap_holds_back_a_family(
    schema: object, world: World, homes: Families, clock: FrozenClock, settings: Settings
) -> None:
    capped = GraphQLClient(
        schema,  # type: ignore[arg-type]
        settings.model_copy(update={"notification_destination_hourly_cap": 1}),
        clock,
    )
    staff = await make.token_for(world.teacher)
    first = await submit(capped, staff, world.site.id)
    again = await submit(capped, staff, world.site.id)
    assert {r["outcome"] for r in first["results"]} == {"QUEUED", "NO_GUARDIAN_CONTACT"}
    assert {r["outcome"] for r in again["results"]} == {
        "TOO_MANY_MESSAGES",
        "NO_GUARDIAN_CONTACT",
    }
    # A family held back gets no link at all, not a link nobody knows.
    assert again["submission"]["requests"] == []
    assert await SubmissionRequest.all().count() == 2


async def test_staff_see_who_has_signed(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    staff = await make.token_for(world.teacher)
    await submit(gql, staff, world.site.id)
    assert (await sign(gql, await link_token("Maria.Lopez@Example.test")))["errors"] == []

    viewer = await make.token_for(world.viewer)
    listed = data(await gql.execute(LIST, {"site": str(world.site.id)}, token=viewer))
    [submission] = listed["attendanceSubmissions"]
    rows = {r["family"]: r for r in submission["requests"]}
    assert rows[homes.ava.name]["status"] == "SIGNED"
    assert rows[homes.ava.name]["guardian"] == "Maria Lopez"
    assert rows[homes.ava.name]["completedAt"] is not None
    assert rows[homes.ben.name]["status"] == "PENDING"
    assert rows[homes.ben.name]["completedAt"] is None
    assert homes.cleo.name not in rows

    clock.advance(days=15)
    viewer = await make.token_for(world.viewer)  # the first one has long expired
    later = data(await gql.execute(LIST, {"site": str(world.site.id)}, token=viewer))
    statuses = {r["family"]: r["status"] for r in later["attendanceSubmissions"][0]["requests"]}
    assert statuses == {homes.ava.name: "SIGNED", homes.ben.name: "EXPIRED"}
