"""The family's side: open the link, prove who you are if asked, review, draw, sign."""

from __future__ import annotations

import asyncio
from datetime import date

from models.attendance import AttendanceEvent
from models.audit import AuditEntry
from models.notifications import Notification
from models.org import Agency
from models.signatures import (
    ParentSignature,
    SignatureMethod,
    SignedEntry,
    SubmissionRequest,
    VerificationCode,
)
from tests import factories as make
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.submissions.helpers import (
    REVIEW,
    SIGN,
    STROKES,
    Families,
    absent,
    attended,
    data,
    link_token,
    request_code,
    sent_code,
    sign,
    submit,
    verify,
)
from tests.world import World

MARIA = "Maria.Lopez@Example.test"
LUCIA = "+15125550134"


async def _submitted(gql: GraphQLClient, world: World) -> str:
    """Submit the period and return the link token Maria (Ava's guardian) received."""
    await submit(gql, await make.token_for(world.teacher), world.site.id)
    return await link_token(MARIA)


async def _require_verification(world: World) -> None:
    await Agency.filter(id=world.agency.id).update(submission_requires_verification=True)


async def _snapshot() -> tuple[int, int, list[dict[str, object]]]:
    requests = await SubmissionRequest.all().order_by("id").values()
    return (await ParentSignature.all().count(), await SignedEntry.all().count(), requests)


async def test_the_whole_flow_without_verification(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    ava, ben = world.kids[0], world.kids[1]
    signed_days = [
        *await attended(ava, world.room, date(2026, 11, 3)),
        await absent(ava, world.room, date(2026, 11, 4), "Dentist"),
        *await attended(homes.dora, world.room, date(2026, 11, 3)),
    ]
    # Not Maria's to sign: another family, another site, a day outside the period.
    await attended(ben, world.room, date(2026, 11, 3))
    await attended(ava, world.room, date(2026, 11, 16))
    other_site_kid = await make.child(world.other_room, of=homes.ava, first_name="Eli")
    await attended(other_site_kid, world.other_room, date(2026, 11, 3))

    token = await _submitted(gql, world)
    review = data(await gql.execute(REVIEW, {"t": token}))["attendanceSubmission"]
    assert review["siteName"] == "Main Street"
    assert review["agencyName"] == "Sunny Days"
    assert (review["from"], review["to"]) == ("2026-11-02", "2026-11-15")
    assert review["guardianFirstName"] == "Maria"
    children = {c["firstName"]: c["days"] for c in review["children"]}
    assert set(children) == {"Ava", "Dora"}
    ava_days = {d["date"]: d for d in children["Ava"]}
    # Enrolled every weekday: every day of the period is shown, with what happened.
    assert len(ava_days) == 14
    assert ava_days["2026-11-03"]["status"] == "SIGNED_OUT"
    assert ava_days["2026-11-03"]["signedInAt"] == "2026-11-03T14:00:00+00:00"
    assert ava_days["2026-11-03"]["signedOutAt"] == "2026-11-03T22:30:00+00:00"
    assert ava_days["2026-11-04"]["status"] == "ABSENT"
    assert ava_days["2026-11-04"]["absenceReason"] == "Dentist"
    assert ava_days["2026-11-05"]["status"] == "NOT_ARRIVED"

    signed = await sign(gql, token)
    assert signed["errors"] == []
    assert signed["signedAt"] is not None
    signature = await ParentSignature.get()
    request = await SubmissionRequest.get(adult_id=homes.ava_guardian.id)
    assert signature.method is SignatureMethod.DRAWN
    assert signature.certified is True
    assert str(signature.adult_id) == str(homes.ava_guardian.id)
    assert signature.device == f"submission:{request.id}"
    assert signature.strokes == STROKES
    assert signature.svg is not None
    assert signature.svg.count("<path ") == 2
    assert request.completed_at is not None
    assert str(request.signature_id) == str(signature.id)
    covered = await SignedEntry.filter(signature_id=signature.id).values_list("event_id", flat=True)
    assert {str(e) for e in covered} == {str(e.id) for e in signed_days}
    assert len(signature.content) == len(signed_days)

    # The link is spent: it opens nothing any more, and signs nothing.
    used = await gql.execute(REVIEW, {"t": token})
    assert used.codes == ["INVALID_LINK"]
    again = await sign(gql, token)
    assert [e["code"] for e in again["errors"]] == ["INVALID_LINK"]
    assert await ParentSignature.all().count() == 1


async def test_the_whole_flow_with_verification(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    await _require_verification(world)
    await attended(world.kids[0], world.room, date(2026, 11, 3))
    token = await _submitted(gql, world)

    refused = await gql.execute(REVIEW, {"t": token})
    assert refused.codes == ["VERIFICATION_REQUIRED"]
    assert refused.data is None
    early = await sign(gql, token)
    assert [e["code"] for e in early["errors"]] == ["VERIFICATION_REQUIRED"]
    assert await ParentSignature.all().count() == 0

    assert data(await request_code(gql, token, "EMAIL")) == {"requestSubmissionCode": {"ok": True}}
    code = await sent_code("maria.lopez@example.test")
    assert len(code) == 6
    assert code.isdigit()
    assert (await verify(gql, token, code)) == {"verified": True, "errors": []}

    review = data(await gql.execute(REVIEW, {"t": token}))["attendanceSubmission"]
    assert {c["firstName"] for c in review["children"]} == {"Ava", "Dora"}
    assert (await sign(gql, token))["errors"] == []
    request = await SubmissionRequest.get(adult_id=homes.ava_guardian.id)
    assert request.verified_at is not None
    assert request.completed_at is not None

    actions = set(await AuditEntry.all().values_list("action", flat=True))
    assert {
        "submission.submit",
        "submission.code_sent",
        "submission.verified",
        "submission.viewed",
        "submission.signed",
    } <= actions
    for entry in await AuditEntry.filter(action__startswith="submission."):
        assert token not in str(entry.data)
        assert code not in str(entry.data)
        if entry.action != "submission.submit":
            assert (entry.actor_kind, entry.actor_id) == ("GUARDIAN", str(homes.ava_guardian.id))


async def test_a_verification_lasts_an_hour(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    await _require_verification(world)
    token = await _submitted(gql, world)
    await request_code(gql, token, "EMAIL")
    await verify(gql, token, await sent_code("maria.lopez@example.test"))
    clock.advance(minutes=61)
    assert (await gql.execute(REVIEW, {"t": token})).codes == ["VERIFICATION_REQUIRED"]


async def test_asking_for_a_code_says_the_same_whatever_exists(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    await _require_verification(world)
    token = await _submitted(gql, world)
    answers = [
        await request_code(gql, token, "EMAIL"),
        # Maria has no phone: nothing is sent, and nothing says so.
        await request_code(gql, token, "SMS"),
        await request_code(gql, "not-a-real-link-token-at-all", "EMAIL"),
        await request_code(gql, "x", "SMS"),
    ]
    for answer in answers:
        assert answer.errors == []
        assert answer.data == {"requestSubmissionCode": {"ok": True}}
    assert await Notification.filter(template="verification_code").count() == 1
    assert await VerificationCode.all().count() == 1


async def test_no_code_is_sent_where_the_agency_does_not_ask_for_one(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    token = await _submitted(gql, world)
    assert data(await request_code(gql, token, "EMAIL")) == {"requestSubmissionCode": {"ok": True}}
    assert await VerificationCode.all().count() == 0


async def test_a_code_expires_after_ten_minutes(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    await _require_verification(world)
    token = await _submitted(gql, world)
    await request_code(gql, token, "EMAIL")
    code = await sent_code("maria.lopez@example.test")
    clock.advance(minutes=10, seconds=1)
    late = await verify(gql, token, code)
    assert late["verified"] is False
    assert [e["code"] for e in late["errors"]] == ["INVALID_CODE"]
    assert (await VerificationCode.get()).attempts == 1
    assert (await SubmissionRequest.get(adult_id=homes.ava_guardian.id)).verified_at is None


async def test_five_wrong_tries_use_up_a_code(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    await _require_verification(world)
    token = await _submitted(gql, world)
    await request_code(gql, token, "EMAIL")
    code = await sent_code("maria.lopez@example.test")
    wrong = "000000" if code != "000000" else "111111"
    answers = [await verify(gql, token, wrong) for _ in range(4)]
    answers.append(await verify(gql, token, "not a code"))
    answers.append(await verify(gql, token, code))
    for answer in answers:
        assert answer == answers[0]
        assert [e["code"] for e in answer["errors"]] == ["INVALID_CODE"]
    assert (await VerificationCode.get()).attempts == 6
    assert (await SubmissionRequest.get(adult_id=homes.ava_guardian.id)).verified_at is None
    failures = await AuditEntry.filter(action="submission.code_failed").count()
    assert failures == 6


async def test_a_code_works_once_and_only_the_newest_counts(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    await _require_verification(world)
    token = await _submitted(gql, world)
    await request_code(gql, token, "EMAIL")
    first = await sent_code("maria.lopez@example.test")
    clock.advance(seconds=5)
    await request_code(gql, token, "EMAIL")
    second = await sent_code("maria.lopez@example.test")
    if first != second:
        stale = await verify(gql, token, first)
        assert [e["code"] for e in stale["errors"]] == ["INVALID_CODE"]
    assert (await verify(gql, token, second))["verified"] is True
    reused = await verify(gql, token, second)
    assert [e["code"] for e in reused["errors"]] == ["INVALID_CODE"]


async def test_three_codes_per_destination_per_quarter_hour(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    await _require_verification(world)
    token = await _submitted(gql, world)
    for _ in range(5):
        await request_code(gql, token, "EMAIL")
        clock.advance(minutes=1)
    assert await Notification.filter(template="verification_code").count() == 3
    clock.advance(minutes=11)  # the first code is now over 15 minutes old
    await request_code(gql, token, "EMAIL")
    assert await Notification.filter(template="verification_code").count() == 4


async def test_wrong_used_and_expired_links_are_refused_alike_and_change_nothing(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    await attended(world.kids[0], world.room, date(2026, 11, 3))
    token = await _submitted(gql, world)
    lucia = await link_token(LUCIA)
    assert (await sign(gql, token))["errors"] == []
    before = await _snapshot()

    clock.advance(days=14, seconds=1)
    for attempt in (token, lucia, lucia[:-2] + "zz", "short", "x" * 5000):
        answer = await sign(gql, attempt)
        assert answer == {
            "signedAt": None,
            "errors": [
                {
                    "code": "INVALID_LINK",
                    "field": "token",
                    "message": "This link is not valid any more. Ask the staff for a new one.",
                }
            ],
        }
        assert (await gql.execute(REVIEW, {"t": attempt})).codes == ["INVALID_LINK"]
        assert (await verify(gql, attempt, "123456"))["errors"][0]["code"] == "INVALID_LINK"
    assert await _snapshot() == before


async def test_two_signatures_at_once_make_one(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    await attended(world.kids[0], world.room, date(2026, 11, 3))
    token = await _submitted(gql, world)
    answers = await asyncio.gather(*(sign(gql, token) for _ in range(2)))
    codes = sorted(e["code"] for a in answers for e in a["errors"])
    assert codes == ["INVALID_LINK"]
    assert await ParentSignature.all().count() == 1
    assert await SignedEntry.all().count() == 2


async def test_a_link_shows_only_its_own_familys_children(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    await attended(world.kids[0], world.room, date(2026, 11, 3))
    await attended(world.kids[1], world.room, date(2026, 11, 3))
    await _submitted(gql, world)
    review = data(await gql.execute(REVIEW, {"t": await link_token(LUCIA)}))
    children = review["attendanceSubmission"]["children"]
    assert [c["firstName"] for c in children] == ["Ben"]
    assert review["attendanceSubmission"]["guardianFirstName"] == "Lucia"

    assert (await sign(gql, await link_token(LUCIA)))["errors"] == []
    signature = await ParentSignature.get()
    assert str(signature.adult_id) == str(homes.ben_guardian_b.id)
    covered = await AttendanceEvent.filter(signed_entries__signature_id=signature.id)
    assert {str(e.child_id) for e in covered} == {str(world.kids[1].id)}


async def test_signing_needs_the_certification_and_a_real_drawing(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    token = await _submitted(gql, world)
    before = await _snapshot()
    uncertified = await sign(gql, token, certified=False)
    assert [e["code"] for e in uncertified["errors"]] == ["CERTIFICATION_REQUIRED"]
    dots = await sign(gql, token, strokes=[[[1, 1]], [[5, 5]]])
    assert [e["code"] for e in dots["errors"]] == ["SIGNATURE_REQUIRED"]
    nothing = await sign(gql, token, strokes=[])
    assert [e["code"] for e in nothing["errors"]] == ["SIGNATURE_REQUIRED"]
    for bad in ([[[1, 2, 3], [4, 5, 6]]], [[[0, 0], [1e9, 0]]], [[]], [[[0, 0]]] * 101):
        refused = await gql.execute(
            SIGN, {"i": {"token": token, "strokes": bad, "certified": True}}
        )
        assert refused.codes == ["BAD_USER_INPUT"], bad
    assert await _snapshot() == before
    assert (await sign(gql, token))["errors"] == []


async def test_link_and_code_mutations_are_alone_in_their_operation(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    token = await _submitted(gql, world)
    doubled = """
    mutation($i: SignAttendanceSubmissionInput!) {
      a: signAttendanceSubmission(input: $i) { signedAt }
      b: signAttendanceSubmission(input: $i) { signedAt }
    }
    """
    variables = {"i": {"token": token, "strokes": STROKES, "certified": True}}
    result = await gql.execute(doubled, variables)
    assert result.data is None
    assert "must be the only field" in result.errors[0]["message"]
    codes = """
    mutation {
      a: verifySubmissionCode(input: {token: "t", code: "000000"}) { verified }
      b: verifySubmissionCode(input: {token: "t", code: "000001"}) { verified }
    }
    """
    assert (await gql.execute(codes)).data is None
    assert await ParentSignature.all().count() == 0


async def test_a_non_number_coordinate_is_bad_input_before_anything_runs(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    token = await _submitted(gql, world)
    for value in (float("nan"), float("inf")):
        strokes = [[[0.0, 0.0], [value, 1.0]]]
        result = await gql.execute(
            SIGN, {"i": {"token": token, "strokes": strokes, "certified": True}}
        )
        assert result.codes == ["BAD_USER_INPUT"]
    assert await ParentSignature.all().count() == 0
