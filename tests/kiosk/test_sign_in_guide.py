"""Staff send guardians the contactless sign-in guide, by email or text, in their language."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from models.audit import AuditEntry
from models.notifications import Notification
from models.org import ModuleAccess, StaffUser
from models.people import ContactMethod, Family, FamilyAdult, GuardianSlot, Language
from services import messages
from tests import factories as make
from tests.clock import FrozenClock
from tests.family.helpers import account_for, parent_token
from tests.graphql import GraphQLClient, Result
from tests.world import World

GUIDE = """
mutation($i: SendSignInGuideInput!) {
  sendSignInGuide(input: $i) { results { adultId adult { id } status } }
}
"""


async def _editor(world: World, *, at_other_site: bool = False) -> StaffUser:
    role = await make.role(world.agency, students=ModuleAccess.EDIT)
    site = world.other_site if at_other_site else world.site
    return await make.staff(world.agency, role=role, sites=[site])


async def _family(world: World, *, foreign: bool = False) -> Family:
    kid = await make.child(world.foreign_room if foreign else world.room)
    return await Family.get(id=kid.family_id)


async def _guardian(family: Family, **contact: Any) -> FamilyAdult:
    adult, _ = await make.adult_with_pin(family, slot=GuardianSlot.A, **contact)
    return adult


async def _send(
    gql: GraphQLClient, token: str | None, adults: list[Any], method: str | None = None
) -> Result:
    ids = [str(a.id) if isinstance(a, FamilyAdult) else str(a) for a in adults]
    extra = {"method": method} if method else {}
    return await gql.execute(GUIDE, {"i": {"adultIds": ids, **extra}}, token=token)


def _statuses(result: Result) -> list[str]:
    assert result.errors == [], result
    assert result.data is not None
    return [r["status"] for r in result.data["sendSignInGuide"]["results"]]


def _body(row: Notification) -> messages.Rendered:
    return messages.render(
        row.template,
        language=Language(row.language),
        channel=ContactMethod(row.channel),
        params=row.params,
        secrets={},
    )


async def test_the_guide_goes_by_each_guardians_preferred_contact_in_their_language(
    gql: GraphQLClient, world: World
) -> None:
    family = await _family(world)
    mailed = await _guardian(family, email="lee@example.test")
    texted, _ = await make.adult_with_pin(
        family,
        slot=GuardianSlot.B,
        phone="+15125550177",
        preferred_contact=ContactMethod.SMS,
        language=Language.ES,
    )
    token = await make.token_for(await _editor(world))
    assert _statuses(await _send(gql, token, [mailed, texted])) == ["QUEUED", "QUEUED"]

    rows = {n.destination: n for n in await Notification.all()}
    email, sms = rows["lee@example.test"], rows["+15125550177"]
    assert (email.template, email.channel, email.language) == (
        "sign_in_guide",
        ContactMethod.EMAIL,
        Language.EN,
    )
    english = _body(email)
    assert "Sunny Days" in english.subject
    assert email.params["link"].endswith("/family?lang=en")
    assert email.params["link"] in english.body
    for step in ("QR code", "PIN pad", "Pick the children", "confirm", "refuses the code"):
        assert step in english.body, step
    assert (sms.channel, sms.language) == (ContactMethod.SMS, Language.ES)
    spanish = _body(sms)
    assert spanish.subject == ""
    assert "QR del quiosco" in spanish.body
    assert spanish.body.endswith(sms.params["link"])
    assert sms.params["link"].endswith("/family?lang=es")
    assert len(spanish.body) <= 160

    audits = await AuditEntry.filter(action="guide.send")
    assert {(a.target_id, a.data["channel"]) for a in audits} == {
        (str(mailed.id), "EMAIL"),
        (str(texted.id), "SMS"),
    }


@pytest.mark.parametrize(
    ("method", "expected", "channel"),
    [
        ("SMS", ["QUEUED", "NO_CONTACT", "QUEUED"], ContactMethod.SMS),
        ("EMAIL", ["QUEUED", "QUEUED", "NO_CONTACT"], ContactMethod.EMAIL),
    ],
)
async def test_a_chosen_channel_without_an_address_is_no_contact_and_the_rest_still_go(
    gql: GraphQLClient, world: World, method: str, expected: list[str], channel: ContactMethod
) -> None:
    both = await _guardian(await _family(world), email="both@example.test", phone="+15125550101")
    email_only = await _guardian(await _family(world), email="mail@example.test")
    phone_only = await _guardian(
        await _family(world), phone="+15125550102", preferred_contact=ContactMethod.SMS
    )
    token = await make.token_for(await _editor(world))
    result = await _send(gql, token, [both, email_only, phone_only], method)
    assert _statuses(result) == expected
    queued = await Notification.all()
    assert len(queued) == 2
    assert {n.channel for n in queued} == {channel}
    audits = await AuditEntry.filter(action="guide.send")
    assert {a.data["channel"] for a in audits} == {method}
    assert len(audits) == 2


async def test_contacts_and_pickups_get_no_guide_since_they_hold_no_family_account(
    gql: GraphQLClient, world: World
) -> None:
    pickup, _ = await make.adult_with_pin(await _family(world), email="pickup@example.test")
    token = await make.token_for(await _editor(world))
    assert _statuses(await _send(gql, token, [pickup])) == ["NOT_A_GUARDIAN"]
    assert await Notification.all().count() == 0
    assert await AuditEntry.filter(action="guide.send").count() == 0


async def test_one_guide_per_adult_and_channel_a_day_and_the_hourly_cap_holds(
    gql: GraphQLClient, world: World, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    guardian = await _guardian(
        await _family(world), email="twice@example.test", phone="+15125550103"
    )
    editor = await _editor(world)
    token = await make.token_for(editor)
    assert _statuses(await _send(gql, token, [guardian])) == ["QUEUED"]
    assert _statuses(await _send(gql, token, [guardian])) == ["ALREADY_QUEUED"]
    assert _statuses(await _send(gql, token, [guardian], "SMS")) == ["QUEUED"]
    assert await Notification.all().count() == 2
    clock.advance(days=1)
    token = await make.token_for(editor)  # the first session has ended by now
    assert _statuses(await _send(gql, token, [guardian])) == ["QUEUED"]
    assert await AuditEntry.filter(action="guide.send").count() == 3

    busy = await _guardian(await _family(world), email="busy@example.test")
    for n in range(10):
        await Notification.create(
            channel=ContactMethod.EMAIL,
            destination="busy@example.test",
            language=Language.EN,
            template="pin",
            params={},
            dedupe_key=f"earlier:{n}",
            next_attempt_at=clock.now(),
            created_at=clock.now(),
        )
    other = await _guardian(await _family(world), email="free@example.test")
    assert _statuses(await _send(gql, token, [busy, other])) == ["TOO_MANY_MESSAGES", "QUEUED"]
    assert not await AuditEntry.exists(action="guide.send", target_id=str(busy.id))


async def test_adults_out_of_reach_are_not_found_like_missing_ones(
    gql: GraphQLClient, world: World
) -> None:
    here = await _guardian(await _family(world))
    foreign = await _guardian(await _family(world, foreign=True))
    missing = uuid.uuid4()
    # An editor of the other site, the foreign agency's admin: no reach to ``here``.
    for staff in (await _editor(world, at_other_site=True), world.foreign_admin):
        token = await make.token_for(staff)
        assert _statuses(await _send(gql, token, [here])) == ["NOT_FOUND"]
    token = await make.token_for(await _editor(world))
    result = await _send(gql, token, [foreign, missing, "not-an-id", here])
    assert _statuses(result) == ["NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "QUEUED"]
    assert result.data is not None
    assert [r["adult"] for r in result.data["sendSignInGuide"]["results"][:3]] == [None] * 3
    assert [n.destination for n in await Notification.all()] == [here.email]
    # An agency admin reaches every adult of the agency, never the foreign one.
    admin = await make.token_for(world.admin)
    assert _statuses(await _send(gql, admin, [foreign, here], "SMS")) == [
        "NOT_FOUND",
        "NO_CONTACT",
    ]


async def test_callers_without_students_edit_are_refused_and_nothing_is_sent(
    gql: GraphQLClient, world: World
) -> None:
    guardian = await _guardian(await _family(world))
    paired = await gql.execute(
        "mutation($i: PairKioskInput!) { pairKiosk(input: $i) { deviceToken } }",
        {"i": {"siteId": str(world.site.id), "name": "Front door"}},
        token=await make.token_for(world.admin),
    )
    assert paired.data is not None
    callers: list[tuple[str | None, str]] = [
        (await make.token_for(world.students_viewer), "FORBIDDEN"),  # view-only
        (await make.token_for(world.teacher), "FORBIDDEN"),  # Students view, Attendance edit
        (await parent_token(await account_for(guardian)), "FORBIDDEN"),
        (paired.data["pairKiosk"]["deviceToken"], "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ]
    for token, code in callers:
        result = await _send(gql, token, [guardian])
        assert result.codes == [code]
        assert result.data is None
    assert await Notification.all().count() == 0
    assert await AuditEntry.filter(action="guide.send").count() == 0


async def test_a_group_is_one_to_100_adults_each_handled_once(
    gql: GraphQLClient, world: World
) -> None:
    guardian = await _guardian(await _family(world))
    token = await make.token_for(await _editor(world))
    assert (await _send(gql, token, [])).codes == ["BAD_USER_INPUT"]
    too_many = [guardian, *(uuid.uuid4() for _ in range(100))]
    assert (await _send(gql, token, too_many)).codes == ["BAD_USER_INPUT"]
    assert await Notification.all().count() == 0
    assert _statuses(await _send(gql, token, [guardian, str(guardian.id).upper()])) == ["QUEUED"]
