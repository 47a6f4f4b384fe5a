"""Staff choose the channel a PIN goes out on: EMAIL or SMS for the whole group."""

from __future__ import annotations

import json
from typing import Any

from auth import sealed
from models.audit import AuditEntry
from models.notifications import Notification
from models.org import ModuleAccess, StaffUser
from models.people import ContactMethod, Family, FamilyAdult, Language
from tests import factories as make
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient
from tests.world import World

RESULTS = "results { adultId status pin delivery } errors { code field }"
RE_PIN = "mutation($i: RePinInput!) { rePin(input: $i) { %s } }" % RESULTS
SEND = "mutation($i: SendPinsInput!) { sendPins(input: $i) { %s } }" % RESULTS


async def _editor(world: World) -> StaffUser:
    role = await make.role(world.agency, students=ModuleAccess.EDIT)
    return await make.staff(world.agency, role=role, sites=[world.site])


async def _family(world: World) -> Family:
    return await Family.get(id=(await make.child(world.room)).family_id)


async def _run(gql: GraphQLClient, query: str, name: str, token: str, **i: Any) -> list[Any]:
    result = await gql.execute(query, {"i": i}, token=token)
    assert result.errors == [], result
    assert result.data is not None
    assert result.data[name]["errors"] == []
    results: list[Any] = result.data[name]["results"]
    return results


async def _three(family: Family) -> tuple[FamilyAdult, FamilyAdult, FamilyAdult]:
    """Both addresses (prefers email), email only, phone only (prefers SMS)."""
    both, _ = await make.adult_with_pin(
        family, email="both@example.test", phone="+15125550101", language=Language.ES
    )
    email_only, _ = await make.adult_with_pin(family, email="mail@example.test")
    phone_only, _ = await make.adult_with_pin(
        family, phone="+15125550102", preferred_contact=ContactMethod.SMS
    )
    return both, email_only, phone_only


async def test_send_pins_by_sms_texts_everyone_with_a_phone_and_no_one_else(
    gql: GraphQLClient, world: World
) -> None:
    both, email_only, phone_only = await _three(await _family(world))
    token = await make.token_for(await _editor(world))
    ids = [str(both.id), str(email_only.id), str(phone_only.id)]
    results = await _run(gql, SEND, "sendPins", token, adultIds=ids, method="SMS")
    assert [r["status"] for r in results] == ["QUEUED", "NO_CONTACT", "QUEUED"]
    sent = {n.destination: n for n in await Notification.all()}
    # The adult who prefers email gets a text: the staff's choice wins, in their language.
    assert set(sent) == {"+15125550101", "+15125550102"}
    assert {n.channel for n in sent.values()} == {ContactMethod.SMS}
    assert sent["+15125550101"].language == Language.ES
    audits = await AuditEntry.filter(action="pin.send")
    assert {(a.target_id, a.data["channel"]) for a in audits} == {
        (str(both.id), "SMS"),
        (str(phone_only.id), "SMS"),
    }


async def test_send_pins_by_email_never_falls_back_to_a_text(
    gql: GraphQLClient, world: World
) -> None:
    both, email_only, phone_only = await _three(await _family(world))
    token = await make.token_for(await _editor(world))
    ids = [str(phone_only.id), str(both.id), str(email_only.id)]
    results = await _run(gql, SEND, "sendPins", token, adultIds=ids, method="EMAIL")
    assert [r["status"] for r in results] == ["NO_CONTACT", "QUEUED", "QUEUED"]
    sent = await Notification.all()
    assert sorted(n.destination for n in sent) == ["both@example.test", "mail@example.test"]
    assert {n.channel for n in sent} == {ContactMethod.EMAIL}
    audits = await AuditEntry.filter(action="pin.send")
    assert {a.data["channel"] for a in audits} == {"EMAIL"}
    assert str(phone_only.id) not in {a.target_id for a in audits}


async def test_without_a_method_each_adult_keeps_their_preferred_contact(
    gql: GraphQLClient, world: World
) -> None:
    both, email_only, phone_only = await _three(await _family(world))
    token = await make.token_for(await _editor(world))
    ids = [str(both.id), str(email_only.id), str(phone_only.id)]
    results = await _run(gql, SEND, "sendPins", token, adultIds=ids)
    assert [r["status"] for r in results] == ["QUEUED"] * 3
    assert sorted((n.channel, n.destination) for n in await Notification.all()) == [
        (ContactMethod.EMAIL, "both@example.test"),
        (ContactMethod.EMAIL, "mail@example.test"),
        (ContactMethod.SMS, "+15125550102"),
    ]


async def test_re_pin_sends_on_the_chosen_channel_and_still_reissues_without_it(
    gql: GraphQLClient, world: World
) -> None:
    both, email_only, _ = await _three(await _family(world))
    token = await make.token_for(await _editor(world))
    ids = [str(both.id), str(email_only.id)]
    results = await _run(gql, RE_PIN, "rePin", token, adultIds=ids, send=True, method="SMS")
    assert [(r["status"], r["delivery"]) for r in results] == [
        ("ISSUED", "QUEUED"),
        ("ISSUED", "NO_CONTACT"),
    ]
    [texted] = await Notification.all()
    assert (texted.channel, texted.destination) == (ContactMethod.SMS, "+15125550101")
    unsealed = sealed.unseal(TEST_KEYRING, texted.secret_params or "")
    assert json.loads(unsealed or "{}") == {"pin": results[0]["pin"]}
    assert await AuditEntry.filter(action="pin.reissue").count() == 2
    [send] = await AuditEntry.filter(action="pin.send")
    assert (send.target_id, send.data["channel"]) == (str(both.id), "SMS")


async def test_an_unknown_method_is_refused_before_anything_happens(
    gql: GraphQLClient, world: World
) -> None:
    both, _, _ = await _three(await _family(world))
    token = await make.token_for(await _editor(world))
    result = await gql.execute(
        SEND, {"i": {"adultIds": [str(both.id)], "method": "PIGEON"}}, token=token
    )
    assert result.data is None
    assert result.errors
    assert await Notification.all().count() == 0
    assert await AuditEntry.filter(action="pin.send").count() == 0
