"""Offers as staff see them, statuses only an offer reaches, and unlinking an enrolled
application (the guardian's own account link stays)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from models.audit import AuditEntry
from models.family_accounts import FamilyAccount, GuardianLink
from models.org import ModuleAccess
from models.waitlist import Application, ApplicationOffer
from tests import factories as make
from tests.family.helpers import register
from tests.graphql import GraphQLClient
from tests.waitlist.helpers import CHANGE, ERRORS, codes, data, form, submit
from tests.waitlist.notices import ANSWER, UNLINK, code_for, mine, notices_to
from tests.world import World

OFFERED = (
    "offer { siteId siteName startsOn offeredAt offeredBy answer answeredAt } "
    "onlineAccount { state login }"
)
STAFF_ROW = f"query($id: ID!) {{ application(id: $id) {{ status {OFFERED} }} }}"
OFFER = (
    "mutation($i: OfferPlaceInput!) { offerApplicationPlace(input: $i) "
    f"{{ application {{ status {OFFERED} }} {ERRORS} }} }}"
)
ENROLL = (
    "mutation($i: EnrollApplicationInput!) { enrollApplication(input: $i) "
    f"{{ application {{ status }} {ERRORS} }} }}"
)
CHILDREN = "{ viewer { ... on ParentViewer { children { firstName } } } }"


async def _setup(gql: GraphQLClient, world: World) -> tuple[str, str, str]:
    """A linked application of the Rivera family: its id, the parent and a named editor."""
    await submit(gql, world, form(world.site))
    [sent] = await notices_to("marta@example.test", "application_invitation")
    parent = (await register(gql, await code_for(sent), "marta@example.test"))["token"]
    role = await make.role(world.agency, students=ModuleAccess.EDIT)
    dana = await make.staff(
        world.agency, role=role, sites=[world.site], first_name="Dana", last_name="Diaz"
    )
    application = await Application.get(family_name="Rivera")
    return str(application.id), parent, await make.token_for(dana)


async def _staff_view(gql: GraphQLClient, token: str, target: str) -> dict[str, Any]:
    found: dict[str, Any] = data(
        await gql.execute(STAFF_ROW, {"id": target}, token=token), "application"
    )
    return found


async def _change(gql: GraphQLClient, token: str, target: str, status: str) -> dict[str, Any]:
    result = await gql.execute(
        CHANGE, {"i": {"applicationId": target, "status": status}}, token=token
    )
    found: dict[str, Any] = data(result, "changeApplication")
    return found


async def _offer_and_accept(gql: GraphQLClient, world: World, ids: tuple[str, str, str]) -> str:
    """Dana offers Main Street from today; the family accepts. The first day, ISO."""
    target, parent, editor = ids
    today = gql.clock.now().date().isoformat()
    offer = {"applicationId": target, "siteId": str(world.site.id), "startsOn": today}
    made = data(await gql.execute(OFFER, {"i": offer}, token=editor), "offerApplicationPlace")
    assert made["errors"] == []
    gql.clock.advance(hours=2)
    answer = {"i": {"applicationId": target, "accept": True}}
    assert (
        data(await gql.execute(ANSWER, answer, token=parent), "answerApplicationOffer")["errors"]
        == []
    )
    return today


async def test_offered_and_accepted_only_through_an_offer_and_staff_see_it(
    gql: GraphQLClient, world: World
) -> None:
    ids = await _setup(gql, world)
    target, parent, editor = ids

    # changeApplication reaches neither OFFERED nor ACCEPTED, and writes nothing.
    assert codes(await _change(gql, editor, target, "OFFERED")) == [
        ("status", "USE_OFFER_APPLICATION_PLACE")
    ]
    assert codes(await _change(gql, editor, target, "ACCEPTED")) == [
        ("status", "FAMILY_ANSWERS_OFFER")
    ]
    assert (await _staff_view(gql, editor, target)) | {"onlineAccount": None} == {
        "status": "SUBMITTED",
        "offer": None,
        "onlineAccount": None,
    }
    assert not await AuditEntry.filter(action="application.change").exists()

    # Applications left by the old path (a status without an offer): an ACCEPTED one cannot
    # be enrolled.
    enroll = {"applicationId": target, "classroomId": str(world.room.id)}
    await Application.filter(id=target).update(status="ACCEPTED")
    early = data(await gql.execute(ENROLL, {"i": enroll}, token=editor), "enrollApplication")
    assert codes(early) == [(None, "NOT_ACCEPTED")]
    # An OFFERED one without an offer record cannot be accepted either.
    await Application.filter(id=target).update(status="OFFERED")
    answer = {"i": {"applicationId": target, "accept": True}}
    unbacked = data(await gql.execute(ANSWER, answer, token=parent), "answerApplicationOffer")
    assert codes(unbacked) == [(None, "NOT_OFFERED")]
    assert (await Application.get(id=target)).status == "OFFERED"
    await Application.filter(id=target).update(status="WAITLISTED")

    # Staff see the offer: where, from when, when, by whom, and the family's answer.
    offered_at = gql.clock.now()
    today = await _offer_and_accept(gql, world, ids)
    seen = await _staff_view(gql, editor, target)
    assert seen["status"] == "ACCEPTED"
    assert seen["offer"] == {
        "siteId": str(world.site.id),
        "siteName": "Main Street",
        "startsOn": today,
        "offeredAt": offered_at.isoformat(),
        "offeredBy": "Dana Diaz",
        "answer": "ACCEPTED",
        "answeredAt": gql.clock.now().isoformat(),
    }
    # Moved back by hand, it must be offered and accepted again before enrolling.
    assert (await _change(gql, editor, target, "WAITLISTED"))["errors"] == []
    assert codes(await _change(gql, editor, target, "ACCEPTED")) == [
        ("status", "FAMILY_ANSWERS_OFFER")
    ]
    again = data(await gql.execute(ENROLL, {"i": enroll}, token=editor), "enrollApplication")
    assert codes(again) == [(None, "NOT_ACCEPTED")]
    assert [a["status"] for a in await mine(gql, parent)] == ["WAITLISTED"]


async def test_a_declined_offer_shows_declined(gql: GraphQLClient, world: World) -> None:
    target, parent, editor = await _setup(gql, world)
    offer = {"applicationId": target, "siteId": str(world.site.id)}
    await gql.execute(OFFER, {"i": offer}, token=editor)
    answer = {"i": {"applicationId": target, "accept": False}}
    await gql.execute(ANSWER, answer, token=parent)
    seen = await _staff_view(gql, editor, target)
    assert (seen["status"], seen["offer"]["answer"]) == ("DECLINED", "DECLINED")


async def test_unlinking_an_enrolled_application_keeps_the_guardians_own_link(
    gql: GraphQLClient, world: World
) -> None:
    ids = await _setup(gql, world)
    target, parent, editor = ids
    await _offer_and_accept(gql, world, ids)
    enroll = {"applicationId": target, "classroomId": str(world.room.id)}
    enrolled = data(await gql.execute(ENROLL, {"i": enroll}, token=editor), "enrollApplication")
    assert enrolled["errors"] == []

    result = await gql.execute(UNLINK, {"i": {"applicationIds": [target]}}, token=editor)
    [outcome] = data(result, "unlinkApplications")["results"]
    assert outcome["outcome"] == "UNLINKED"
    assert outcome["application"]["onlineAccount"] == {"state": "INVITE", "login": None}
    # The application leaves the family app; the children and the guardian link stay.
    assert await mine(gql, parent) == []
    kids = data(await gql.execute(CHILDREN, token=parent), "viewer")["children"]
    assert [k["firstName"] for k in kids] == ["Lia"]
    account = await FamilyAccount.get(login="marta@example.test")
    assert await GuardianLink.filter(account_id=account.id).count() == 1
    [entry] = await AuditEntry.filter(action="application.unlink", target_id=target)
    assert entry.data["guardian_links_kept"] is True
    assert (await Application.get(id=target)).status == "ENROLLED"


async def test_the_answer_goes_on_the_latest_offer_only(gql: GraphQLClient, world: World) -> None:
    target, parent, editor = await _setup(gql, world)
    first = {"applicationId": target, "siteId": str(world.site.id)}
    assert (
        data(await gql.execute(OFFER, {"i": first}, token=editor), "offerApplicationPlace")[
            "errors"
        ]
        == []
    )
    gql.clock.advance(hours=1)
    later = gql.clock.now().date() + timedelta(days=7)
    second = first | {"startsOn": later.isoformat()}
    assert (
        data(await gql.execute(OFFER, {"i": second}, token=editor), "offerApplicationPlace")[
            "errors"
        ]
        == []
    )

    answer = {"i": {"applicationId": target, "accept": True}}
    await gql.execute(ANSWER, answer, token=parent)
    offers = await ApplicationOffer.filter(application_id=target).order_by("offered_at")
    # The replaced offer was never answered; the family accepted the one they were shown.
    assert [(o.starts_on, o.accepted, o.answered_at is not None) for o in offers] == [
        (offers[0].starts_on, None, False),
        (later, True, True),
    ]
    assert (await _staff_view(gql, editor, target))["offer"]["startsOn"] == later.isoformat()
