"""Applications linked to family accounts: the walk from the public form to a child signed
in at the kiosk, batch invites with one outcome each, unlinking and inviting again."""

from __future__ import annotations

from typing import Any

from models.audit import AuditEntry
from models.family_accounts import FamilyAccount, GuardianLink
from models.people import Child, ContactMethod, FamilyAdult, Language
from models.pins import PinCredential
from models.waitlist import Application
from services import pins
from tests import factories as make
from tests.conftest import TEST_KEYRING
from tests.family.helpers import PASSWORD, register
from tests.graphql import GraphQLClient
from tests.waitlist.helpers import (
    CHANGE,
    ERRORS,
    data,
    form,
    students_editor,
    submit,
)
from tests.waitlist.notices import (
    ANSWER,
    INVITE,
    UNLINK,
    code_for,
    mine,
    notices_to,
    parent_of,
)
from tests.world import World

ACCOUNT = "query($id: ID!) { application(id: $id) { status onlineAccount { state login } } }"
OFFER = (
    "mutation($i: OfferPlaceInput!) { offerApplicationPlace(input: $i) "
    f"{{ application {{ status sites {{ siteId position }} }} {ERRORS} }} }}"
)
ENROLL = (
    "mutation($i: EnrollApplicationInput!) { enrollApplication(input: $i) "
    f"{{ application {{ status }} {ERRORS} }} }}"
)
KIOSK_SIGN_IN = (
    "mutation($i: KioskSignInput!) { kioskSignIn(input: $i) "
    "{ children { id status } errors { code field } } }"
)
CHILDREN = "{ viewer { ... on ParentViewer { children { firstName lastName } } } }"


async def _account(gql: GraphQLClient, token: str, application_id: str) -> dict[str, Any]:
    found: dict[str, Any] = data(
        await gql.execute(ACCOUNT, {"id": application_id}, token=token), "application"
    )
    return found


async def test_walk_from_the_public_form_to_a_kiosk_sign_in(
    gql: GraphQLClient, world: World
) -> None:
    today = gql.clock.now().date().isoformat()
    early = [{"firstName": "Eva", "lastName": "Early", "email": "eva@example.test"}]
    await submit(gql, world, form(world.site, family="Early", desiredStart=today, guardians=early))
    gql.clock.advance(minutes=1)
    entry = form(world.site, desiredStart=today)
    entry["children"].append(
        {"firstName": "Tomas", "lastName": "Rivera", "birthDate": "2024-01-09"}
    )
    entry["guardians"].append({"firstName": "Luis", "lastName": "Rivera", "phone": "512 555 0188"})
    assert (await submit(gql, world, entry))["errors"] == []
    application = await Application.get(family_name="Rivera")
    target = str(application.id)
    editor = await students_editor(world, world.site)

    # Submitting sent the code by the preferred contact, in Spanish.
    [sent] = await notices_to("marta@example.test", "application_invitation")
    assert (sent.channel, sent.language) == (ContactMethod.EMAIL, Language.ES)
    assert (await _account(gql, editor, target))["onlineAccount"]["state"] == "REINVITE"

    # Registering with the code links the application to a new account.
    registered = await register(gql, await code_for(sent), "marta@example.test")
    assert registered["errors"] == []
    parent = registered["token"]
    linked = await _account(gql, editor, target)
    assert linked["onlineAccount"] == {"state": "REGISTERED", "login": "marta@example.test"}

    # The family sees it wait, and where.
    waitlisted = await gql.execute(
        CHANGE, {"i": {"applicationId": target, "status": "WAITLISTED"}}, token=editor
    )
    assert data(waitlisted, "changeApplication")["errors"] == []
    [seen] = await mine(gql, parent)
    assert seen["status"] == "WAITLISTED"
    assert seen["sites"] == [
        {"siteId": str(world.site.id), "siteName": "Main Street", "position": 2}
    ]
    assert await notices_to("marta@example.test", "application_waitlisted")

    # Offer, accept, enroll: nothing typed again.
    offer = {"applicationId": target, "siteId": str(world.site.id), "startsOn": today}
    offered = data(await gql.execute(OFFER, {"i": offer}, token=editor), "offerApplicationPlace")
    assert offered["application"]["status"] == "OFFERED"
    assert await notices_to("marta@example.test", "application_offer")
    [seen] = await mine(gql, parent)
    assert seen["offer"] == {"siteName": "Main Street", "startsOn": today}
    accepted = await gql.execute(
        ANSWER, {"i": {"applicationId": target, "accept": True}}, token=parent
    )
    assert data(accepted, "answerApplicationOffer")["application"]["status"] == "ACCEPTED"
    enroll = {"applicationId": target, "classroomId": str(world.room.id)}
    enrolled = data(await gql.execute(ENROLL, {"i": enroll}, token=editor), "enrollApplication")
    assert enrolled == {"application": {"status": "ENROLLED"}, "errors": []}
    assert await notices_to("marta@example.test", "application_enrolled")

    # The account reaches guardian A of the new family, and sees both children.
    account = await FamilyAccount.get(login="marta@example.test")
    link = await GuardianLink.get(account_id=account.id).select_related("adult")
    guardian = link.adult
    assert (guardian.first_name, guardian.email, guardian.language) == (
        "Marta",
        "marta@example.test",
        Language.ES,
    )
    second = await FamilyAdult.get(family_id=guardian.family_id, guardian_slot="B")
    assert second.phone == "+15125550188"
    kids = data(await gql.execute(CHILDREN, token=parent), "viewer")["children"]
    assert sorted(k["firstName"] for k in kids) == ["Lia", "Tomas"]

    # Guardian A signs the children in at the kiosk with their PIN.
    pin = pins.reveal(TEST_KEYRING, await PinCredential.get(adult_id=guardian.id))
    _, device = await make.kiosk(world.site, paired_by=world.admin)
    children = await Child.filter(family_id=guardian.family_id)
    variables = {"i": {"pin": pin, "childIds": [str(c.id) for c in children]}}
    signed = data(await gql.execute(KIOSK_SIGN_IN, variables, token=device), "kioskSignIn")
    assert signed["errors"] == []
    assert {c["status"] for c in signed["children"]} == {"SIGNED_IN"}

    actions = await AuditEntry.filter(target_id=target).values_list("action", flat=True)
    assert sorted(actions) == sorted(
        [
            "application.submit",
            "application.invite",
            "family.register",
            "application.change",
            "application.offer",
            "application.accept",
            "application.enroll",
        ]
    )


async def test_a_batch_invite_gives_one_outcome_per_application(
    gql: GraphQLClient, world: World
) -> None:
    phones = ["512 555 0101", "512 555 0102", None]
    for i, phone in enumerate(phones):
        guardian = {"firstName": "Ana", "lastName": f"Family{i}", "email": f"ana{i}@example.test"}
        await submit(
            gql,
            world,
            form(
                world.site,
                family=f"Family{i}",
                guardians=[guardian | ({"phone": phone} if phone else {})],
            ),
        )
    ids = [str(a.id) for a in await Application.all().order_by("number")]
    editor = await students_editor(world, world.site)
    result = await gql.execute(
        INVITE, {"i": {"applicationIds": ids, "method": "SMS"}}, token=editor
    )
    outcomes = data(result, "inviteApplications")["results"]
    assert [(r["applicationId"], r["outcome"]) for r in outcomes] == [
        (ids[0], "INVITED"),
        (ids[1], "INVITED"),
        (ids[2], "NO_CONTACT"),
    ]
    assert [r["application"]["onlineAccount"]["state"] for r in outcomes] == ["REINVITE"] * 3
    assert len(await notices_to("+15125550101", "application_invitation")) == 1
    assert await AuditEntry.filter(action="application.invite").count() == 5  # 3 on submit


async def test_unlinked_application_is_invited_again_and_linked_to_the_same_account(
    gql: GraphQLClient, world: World
) -> None:
    await submit(gql, world, form(world.site))
    other_guardian = [{"firstName": "Olga", "lastName": "Other", "email": "olga@example.test"}]
    await submit(gql, world, form(world.site, family="Other", guardians=other_guardian))
    first, other = [str(a.id) for a in await Application.all().order_by("number")]
    [sent] = await notices_to("marta@example.test", "application_invitation")
    old_code = await code_for(sent)
    parent = (await register(gql, old_code, "marta@example.test"))["token"]
    editor = await students_editor(world, world.site)

    result = await gql.execute(UNLINK, {"i": {"applicationIds": [first, other]}}, token=editor)
    outcomes = data(result, "unlinkApplications")["results"]
    assert [r["outcome"] for r in outcomes] == ["UNLINKED", "NOT_LINKED"]
    assert outcomes[0]["application"]["onlineAccount"] == {"state": "INVITE", "login": None}
    assert await mine(gql, parent) == []
    assert await notices_to("marta@example.test", "application_unlinked")
    assert await AuditEntry.filter(action="application.unlink", target_id=first).exists()

    gql.clock.advance(minutes=5)
    again = await gql.execute(INVITE, {"i": {"applicationIds": [first]}}, token=editor)
    assert data(again, "inviteApplications")["results"][0]["outcome"] == "INVITED"
    newest = (await notices_to("marta@example.test", "application_invitation"))[-1]
    # The used code works once; the new one links to the account the login already has.
    assert (await register(gql, old_code, "marta@example.test"))["errors"]
    relinked = await register(gql, await code_for(newest), "marta@example.test", PASSWORD)
    assert relinked["errors"] == []
    assert [a["number"] for a in await mine(gql, relinked["token"])] == ["A-00001"]


async def test_a_code_expires_after_14_days(gql: GraphQLClient, world: World) -> None:
    await submit(gql, world, form(world.site))
    [sent] = await notices_to("marta@example.test", "application_invitation")
    gql.clock.advance(days=14, seconds=1)
    late = await register(gql, await code_for(sent), "marta@example.test")
    assert [e["code"] for e in late["errors"]] == ["INVALID_CREDENTIALS"]
    assert await parent_of("marta@example.test") is None
