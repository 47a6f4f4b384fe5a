"""Staff PIN care: reading back, re-issuing and sending family adults' PINs, and a staff
member reading their own PIN."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from types import SimpleNamespace
from typing import Any, cast

import pytest
from starlette.requests import Request

from auth import sealed
from auth.keys import Keyring
from auth.pins import is_well_formed
from models.audit import AuditEntry
from models.notifications import Notification
from models.org import ModuleAccess, StaffUser
from models.people import ContactMethod, Family, FamilyAdult, GuardianSlot, Language
from models.pins import PinCredential
from resolvers import pin_care as pin_care_resolvers
from resolvers.context import Context, Info
from services import notifications
from services import pins as pin_service
from tests import factories as make
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient, Result
from tests.world import OTHER_TEACHER_PIN, TEACHER_PIN, World

SECRET = TEST_KEYRING
RESULTS = "results { adultId adult { id firstName } status pin delivery } errors { code field }"
REVEAL = "mutation($i: RevealPinsInput!) { revealPins(input: $i) { %s } }" % RESULTS
RE_PIN = "mutation($i: RePinInput!) { rePin(input: $i) { %s } }" % RESULTS
SEND = "mutation($i: SendPinsInput!) { sendPins(input: $i) { %s } }" % RESULTS
OWN_PIN = "{ viewer { ... on StaffViewer { id pin } ... on KioskViewer { name } } }"


async def _editor(world: World) -> StaffUser:
    """Students edit rights at the main site only."""
    role = await make.role(world.agency, students=ModuleAccess.EDIT)
    return await make.staff(world.agency, role=role, sites=[world.site])


async def _family_at(world: World, *, other_site: bool = False, foreign: bool = False) -> Family:
    room = world.foreign_room if foreign else world.other_room if other_site else world.room
    kid = await make.child(room)
    return await Family.get(id=kid.family_id)


async def _kiosk_token(gql: GraphQLClient, world: World) -> str:
    paired = await gql.execute(
        "mutation($i: PairKioskInput!) { pairKiosk(input: $i) { deviceToken } }",
        {"i": {"siteId": str(world.site.id), "name": "Front door"}},
        token=await make.token_for(world.admin),
    )
    token: str = paired.data["pairKiosk"]["deviceToken"]  # type: ignore[index]
    return token


async def _run(
    gql: GraphQLClient, query: str, adults: list[Any], token: str | None, **extra: object
) -> Result:
    ids = [str(a.id) if isinstance(a, FamilyAdult) else str(a) for a in adults]
    return await gql.execute(query, {"i": {"adultIds": ids, **extra}}, token=token)


def _payload(result: Result, name: str) -> dict[str, Any]:
    assert result.errors == [], result
    assert result.data is not None
    payload: dict[str, Any] = result.data[name]
    return payload


async def _findable(agency_id: object, pin: str) -> str | None:
    found = await pin_service.find(SECRET, str(agency_id), pin)
    return str(found.adult_id) if found else None


async def _assert_pins_nowhere_at_rest(*clear_pins: str) -> None:
    """Neither stored PINs, nor the outbox, nor the audit log hold a clear PIN."""
    stored = [(c.lookup, c.encrypted) for c in await PinCredential.all()]
    outbox = [(json.dumps(n.params), n.secret_params or "") for n in await Notification.all()]
    audit = [json.dumps(a.data) for a in await AuditEntry.all()]
    text = json.dumps([stored, outbox, audit])
    for pin in clear_pins:
        assert pin not in text


async def test_a_students_editor_reads_back_pins_of_adults_at_their_site(
    gql: GraphQLClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    family = await _family_at(world)
    guardian, guardian_pin = await make.adult_with_pin(family, slot=GuardianSlot.A)
    pickup, pickup_pin = await make.adult_with_pin(family)
    without = await make.adult(family, slot=None)
    token = await make.token_for(await _editor(world))

    one = _payload(await _run(gql, REVEAL, [guardian], token), "revealPins")
    assert one["results"] == [
        {
            "adultId": str(guardian.id),
            "adult": {"id": str(guardian.id), "firstName": guardian.first_name},
            "status": "REVEALED",
            "pin": guardian_pin,
            "delivery": None,
        }
    ]
    group = _payload(await _run(gql, REVEAL, [pickup, without, guardian], token), "revealPins")
    assert [(r["status"], r["pin"]) for r in group["results"]] == [
        ("REVEALED", pickup_pin),
        ("NO_PIN", None),
        ("REVEALED", guardian_pin),
    ]
    reveals = await AuditEntry.filter(action="pin.reveal").order_by("at")
    assert [r.target_id for r in reveals] == [str(guardian.id), str(pickup.id), str(guardian.id)]
    assert {r.target_type for r in reveals} == {"family_adult"}
    await _assert_pins_nowhere_at_rest(guardian_pin, pickup_pin)
    assert guardian_pin not in caplog.text
    assert pickup_pin not in caplog.text


async def test_adults_out_of_reach_look_exactly_like_missing_ones(
    gql: GraphQLClient, world: World
) -> None:
    other_site, other_pin = await make.adult_with_pin(await _family_at(world, other_site=True))
    foreign, foreign_pin = await make.adult_with_pin(await _family_at(world, foreign=True))
    # A family with no child at the editor's site, in the editor's own agency.
    unenrolled, unenrolled_pin = await make.adult_with_pin(await make.family(world.agency))
    missing = uuid.uuid4()
    token = await make.token_for(await _editor(world))
    targets = [other_site, foreign, unenrolled, missing, "not-an-id"]
    for query, name in ((REVEAL, "revealPins"), (SEND, "sendPins"), (RE_PIN, "rePin")):
        payload = _payload(await _run(gql, query, targets, token), name)
        assert [(r["status"], r["adult"], r["pin"]) for r in payload["results"]] == [
            ("NOT_FOUND", None, None)
        ] * 5, name
        assert [r["adultId"] for r in payload["results"]] == [
            str(other_site.id),
            str(foreign.id),
            str(unenrolled.id),
            str(missing),
            "not-an-id",
        ]
    assert await AuditEntry.all().count() == 0
    assert await Notification.all().count() == 0
    for adult, pin in ((other_site, other_pin), (foreign, foreign_pin)):
        assert await _findable((await Family.get(id=adult.family_id)).agency_id, pin) == str(
            adult.id
        )
    assert await _findable(world.agency.id, unenrolled_pin) == str(unenrolled.id)


async def test_an_agency_admin_cares_for_every_adult_of_the_agency_only(
    gql: GraphQLClient, world: World
) -> None:
    other_site, other_pin = await make.adult_with_pin(await _family_at(world, other_site=True))
    unenrolled, unenrolled_pin = await make.adult_with_pin(await make.family(world.agency))
    foreign, _ = await make.adult_with_pin(await _family_at(world, foreign=True))
    token = await make.token_for(world.admin)
    payload = _payload(
        await _run(gql, REVEAL, [other_site, unenrolled, foreign], token), "revealPins"
    )
    assert [(r["status"], r["pin"]) for r in payload["results"]] == [
        ("REVEALED", other_pin),
        ("REVEALED", unenrolled_pin),
        ("NOT_FOUND", None),
    ]
    foreign_admin = await make.token_for(world.foreign_admin)
    payload = _payload(await _run(gql, REVEAL, [other_site], foreign_admin), "revealPins")
    assert payload["results"][0]["status"] == "NOT_FOUND"


async def test_callers_without_students_edit_are_refused_and_change_nothing(
    gql: GraphQLClient, world: World
) -> None:
    family = await _family_at(world)
    adult, pin = await make.adult_with_pin(family)
    attendance_only = await make.staff(
        world.agency,
        role=await make.role(world.agency, attendance=ModuleAccess.EDIT),
        sites=[world.site],
    )
    callers: list[tuple[str | None, str]] = [
        (await make.token_for(world.teacher), "FORBIDDEN"),  # Students view, Attendance edit
        (await make.token_for(world.students_viewer), "FORBIDDEN"),
        (await make.token_for(attendance_only), "FORBIDDEN"),
        (await _kiosk_token(gql, world), "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ]
    audit_before = await AuditEntry.all().count()
    for token, code in callers:
        for query, extra in ((REVEAL, {}), (SEND, {}), (RE_PIN, {"send": True})):
            result = await _run(gql, query, [adult], token, **extra)
            assert result.codes == [code], (query, code)
            assert result.data is None
            assert pin not in str(result.errors)
    assert await AuditEntry.all().count() == audit_before
    assert await Notification.all().count() == 0
    assert await _findable(world.agency.id, pin) == str(adult.id)


async def test_re_pin_retires_the_old_pin_at_once(
    gql: GraphQLClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    family = await _family_at(world)
    first, first_old = await make.adult_with_pin(family)
    second, second_old = await make.adult_with_pin(family)
    token = await make.token_for(await _editor(world))

    payload = _payload(await _run(gql, RE_PIN, [first, second], token), "rePin")
    assert payload["errors"] == []
    assert [r["status"] for r in payload["results"]] == ["ISSUED", "ISSUED"]
    assert [r["delivery"] for r in payload["results"]] == [None, None]
    first_new, second_new = (r["pin"] for r in payload["results"])
    for new in (first_new, second_new):
        assert is_well_formed(new, 6)
    assert await _findable(world.agency.id, first_old) is None
    assert await _findable(world.agency.id, second_old) is None
    assert await _findable(world.agency.id, first_new) == str(first.id)
    assert await _findable(world.agency.id, second_new) == str(second.id)
    assert await PinCredential.filter(adult_id=first.id).count() == 1
    # The new PIN reads back too, and nothing was sent without asking.
    revealed = _payload(await _run(gql, REVEAL, [first], token), "revealPins")
    assert revealed["results"][0]["pin"] == first_new
    assert await Notification.all().count() == 0

    issued = await AuditEntry.filter(action="pin.reissue").order_by("at")
    assert [a.target_id for a in issued] == [str(first.id), str(second.id)]
    assert issued[0].data == {"send": False}
    await _assert_pins_nowhere_at_rest(first_old, second_old, first_new, second_new)
    for pin in (first_old, second_old, first_new, second_new):
        assert pin not in caplog.text


async def test_re_pin_issues_pins_of_the_agencys_length(gql: GraphQLClient, world: World) -> None:
    adult, old = await make.adult_with_pin(await _family_at(world))
    world.agency.pin_length = 4
    await world.agency.save(update_fields=["pin_length"])
    payload = _payload(await _run(gql, RE_PIN, [adult], await make.token_for(world.admin)), "rePin")
    new = payload["results"][0]["pin"]
    assert len(new) == 4
    assert await _findable(world.agency.id, new) == str(adult.id)
    assert await _findable(world.agency.id, old) is None


async def test_a_re_pin_that_cannot_finish_changes_no_one(
    gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    family = await _family_at(world)
    first, first_pin = await make.adult_with_pin(family)
    second, second_pin = await make.adult_with_pin(family)
    real_issue = pin_service.issue

    async def full_after_one(secret: Keyring, agency: Any, **owner: Any) -> str:
        if str(owner.get("adult_id")) == str(second.id):
            raise pin_service.PinSpaceExhausted("full")
        return await real_issue(secret, agency, **owner)

    monkeypatch.setattr(pin_service, "issue", full_after_one)
    token = await make.token_for(await _editor(world))
    payload = _payload(await _run(gql, RE_PIN, [first, second], token, send=True), "rePin")
    assert payload["results"] == []
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("PIN_SPACE_EXHAUSTED", "adultIds")
    ]
    assert await _findable(world.agency.id, first_pin) == str(first.id)
    assert await _findable(world.agency.id, second_pin) == str(second.id)
    assert await AuditEntry.all().count() == 0
    assert await Notification.all().count() == 0


async def test_re_pin_can_send_the_new_pin(gql: GraphQLClient, world: World) -> None:
    family = await _family_at(world)
    reachable, _ = await make.adult_with_pin(family)
    unreachable, _ = await make.adult_with_pin(family, reachable=False)
    token = await make.token_for(await _editor(world))
    payload = _payload(await _run(gql, RE_PIN, [reachable, unreachable], token, send=True), "rePin")
    assert [(r["status"], r["delivery"]) for r in payload["results"]] == [
        ("ISSUED", "QUEUED"),
        ("ISSUED", "NO_CONTACT"),
    ]
    [queued] = await Notification.all()
    assert queued.destination == reachable.email
    secret = sealed.unseal(SECRET, queued.secret_params or "")
    assert json.loads(secret or "{}") == {"pin": payload["results"][0]["pin"]}
    assert await AuditEntry.filter(action="pin.send").count() == 1
    # The unreachable adult's new PIN works even though it could not be sent.
    assert await _findable(world.agency.id, payload["results"][1]["pin"]) == str(unreachable.id)


async def test_send_pins_queues_each_adults_pin_by_their_preferred_contact(
    gql: GraphQLClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    family = await _family_at(world)
    texted, texted_pin = await make.adult_with_pin(
        family,
        email="maria@example.test",
        phone="+15125550199",
        preferred_contact=ContactMethod.SMS,
        language=Language.ES,
    )
    mailed, mailed_pin = await make.adult_with_pin(family, email="lee@example.test")
    no_contact, _ = await make.adult_with_pin(family, reachable=False)
    no_pin = await make.adult(family, slot=None)
    foreign, _ = await make.adult_with_pin(await _family_at(world, foreign=True))
    token = await make.token_for(await _editor(world))

    payload = _payload(
        await _run(gql, SEND, [texted, mailed, no_contact, no_pin, foreign], token), "sendPins"
    )
    assert [(r["status"], r["pin"]) for r in payload["results"]] == [
        ("QUEUED", None),
        ("QUEUED", None),
        ("NO_CONTACT", None),
        ("NO_PIN", None),
        ("NOT_FOUND", None),
    ]
    rows = {n.destination: n for n in await Notification.all()}
    assert set(rows) == {"+15125550199", "lee@example.test"}
    sms = rows["+15125550199"]
    assert (sms.template, sms.channel, sms.language) == ("pin", ContactMethod.SMS, Language.ES)
    assert sms.params == {"adult_first_name": texted.first_name, "agency_name": "Sunny Days"}
    assert sms.agency_id is not None
    assert str(sms.agency_id) == str(world.agency.id)
    assert texted_pin not in (sms.secret_params or "")
    assert json.loads(sealed.unseal(SECRET, sms.secret_params or "") or "{}") == {"pin": texted_pin}
    email = rows["lee@example.test"]
    assert (email.channel, email.language) == (ContactMethod.EMAIL, Language.EN)

    sends = await AuditEntry.filter(action="pin.send")
    assert {(a.target_id, a.data["channel"]) for a in sends} == {
        (str(texted.id), "SMS"),
        (str(mailed.id), "EMAIL"),
    }
    assert {a.data["notification_id"] for a in sends} == {str(n.id) for n in rows.values()}
    await _assert_pins_nowhere_at_rest(texted_pin, mailed_pin)
    assert texted_pin not in caplog.text
    assert mailed_pin not in caplog.text


async def test_asking_again_sends_again(gql: GraphQLClient, world: World) -> None:
    adult, _ = await make.adult_with_pin(await _family_at(world))
    token = await make.token_for(await _editor(world))
    for _ in range(2):
        payload = _payload(await _run(gql, SEND, [adult], token), "sendPins")
        assert payload["results"][0]["status"] == "QUEUED"
    assert await Notification.filter(template="pin").count() == 2


async def test_a_capped_destination_is_reported_and_the_rest_still_go_out(
    gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    family = await _family_at(world)
    capped, _ = await make.adult_with_pin(family, email="busy@example.test")
    fine, _ = await make.adult_with_pin(family, email="free@example.test")
    real_enqueue = notifications.enqueue

    async def capped_enqueue(secret: Keyring, **kwargs: Any) -> Notification:
        queued = await real_enqueue(secret, **kwargs)
        if kwargs["recipient"].destination == "busy@example.test":
            # As a cap would, after writing: the savepoint must undo it.
            raise notifications.TooManyMessages()
        return queued

    monkeypatch.setattr(notifications, "enqueue", capped_enqueue)
    token = await make.token_for(await _editor(world))
    payload = _payload(await _run(gql, SEND, [capped, fine], token), "sendPins")
    assert [r["status"] for r in payload["results"]] == ["TOO_MANY_MESSAGES", "QUEUED"]
    assert [n.destination for n in await Notification.all()] == ["free@example.test"]
    assert [a.target_id for a in await AuditEntry.filter(action="pin.send")] == [str(fine.id)]


async def test_a_group_is_at_most_100_adults_and_each_is_handled_once(
    gql: GraphQLClient, world: World
) -> None:
    adult, pin = await make.adult_with_pin(await _family_at(world))
    token = await make.token_for(await _editor(world))
    too_many = await _run(gql, RE_PIN, [adult] + [uuid.uuid4() for _ in range(100)], token)
    assert too_many.codes == ["BAD_USER_INPUT"]
    assert await _findable(world.agency.id, pin) == str(adult.id)
    empty = await _run(gql, REVEAL, [], token)
    assert empty.codes == ["BAD_USER_INPUT"]
    twice = [adult, str(adult.id).upper()]
    payload = _payload(await _run(gql, RE_PIN, twice, token), "rePin")
    [only] = payload["results"]
    assert await _findable(world.agency.id, only["pin"]) == str(adult.id)


async def test_concurrent_re_pins_of_one_adult_leave_one_of_the_reported_pins(
    gql: GraphQLClient, world: World
) -> None:
    adult, _ = await make.adult_with_pin(await _family_at(world))
    token = await make.token_for(world.admin)
    results = await asyncio.gather(*(_run(gql, RE_PIN, [adult], token) for _ in range(4)))
    reported = [_payload(r, "rePin")["results"][0]["pin"] for r in results]
    assert await PinCredential.filter(adult_id=adult.id).count() == 1
    working = [p for p in reported if await _findable(world.agency.id, p) == str(adult.id)]
    assert len(working) == 1


async def test_staff_read_their_own_pin_and_no_one_elses(gql: GraphQLClient, world: World) -> None:
    mine = await gql.execute(OWN_PIN, token=await make.token_for(world.teacher))
    assert mine.data == {"viewer": {"id": str(world.teacher.id), "pin": TEACHER_PIN}}
    theirs = await gql.execute(OWN_PIN, token=await make.token_for(world.other_site_teacher))
    assert theirs.data == {
        "viewer": {"id": str(world.other_site_teacher.id), "pin": OTHER_TEACHER_PIN}
    }
    without = await gql.execute(OWN_PIN, token=await make.token_for(world.viewer))
    assert without.data == {"viewer": {"id": str(world.viewer.id), "pin": None}}
    kiosk = await gql.execute(OWN_PIN, token=await _kiosk_token(gql, world))
    assert kiosk.data == {"viewer": {"name": "Front door"}}
    anonymous = await gql.execute(OWN_PIN)
    assert anonymous.data == {"viewer": None}


async def test_the_own_pin_resolver_answers_only_on_the_callers_own_viewer(
    gql: GraphQLClient, world: World
) -> None:
    teacher = await gql.principal_for(await make.token_for(world.teacher))
    request = Request({"type": "http", "method": "POST", "headers": [], "client": ("::1", 1)})
    context = Context(
        request=request, principal=teacher, settings=gql.settings, bus=gql.bus, clock=gql.clock
    )
    info = cast(Info, SimpleNamespace(context=context))
    assert await pin_care_resolvers.own_pin(info, str(world.teacher.id)) == TEACHER_PIN
    # A viewer object for someone else yields nothing, even to a signed-in staff caller.
    assert await pin_care_resolvers.own_pin(info, str(world.other_site_teacher.id)) is None


async def test_groups_re_pinned_at_once_in_opposite_orders_both_succeed(
    gql: GraphQLClient, world: World
) -> None:
    family = await _family_at(world)
    adults = [(await make.adult_with_pin(family))[0] for _ in range(6)]
    token = await make.token_for(world.admin)
    for _ in range(3):
        results = await asyncio.gather(
            _run(gql, RE_PIN, adults, token), _run(gql, RE_PIN, adults[::-1], token)
        )
        for result in results:
            assert [r["status"] for r in _payload(result, "rePin")["results"]] == ["ISSUED"] * 6
    for adult in adults:
        assert await PinCredential.filter(adult_id=adult.id).count() == 1
