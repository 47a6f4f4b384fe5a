"""The family's side of an application: contact details, withdrawing, answering an offer;
and who may do what (another family, another agency, the kiosk, view-only staff)."""

from __future__ import annotations

from typing import Any

from models.audit import AuditEntry
from models.org import ModuleAccess
from models.people import ContactMethod, Language
from models.waitlist import Application
from tests import factories as make
from tests.family.helpers import register
from tests.graphql import GraphQLClient
from tests.waitlist.helpers import ERRORS, codes, data, form, refused, students_editor, submit
from tests.waitlist.notices import (
    ANSWER,
    INVITE,
    MINE,
    UNLINK,
    UPDATE,
    WITHDRAW,
    code_for,
    mine,
    notices_to,
)
from tests.world import World

OFFER = (
    "mutation($i: OfferPlaceInput!) { offerApplicationPlace(input: $i) "
    f"{{ application {{ status }} {ERRORS} }} }}"
)
ENROLL = (
    "mutation($i: EnrollApplicationInput!) { enrollApplication(input: $i) "
    f"{{ application {{ status }} {ERRORS} }} }}"
)


async def _linked(gql: GraphQLClient, world: World, family: str, email: str) -> tuple[str, str]:
    """An application of ``family`` linked to a new account: its id and the parent token."""
    guardian = [{"firstName": "Ana", "lastName": family, "email": email}]
    await submit(gql, world, form(world.site, family=family, guardians=guardian))
    [sent] = await notices_to(email, "application_invitation")
    token = (await register(gql, await code_for(sent), email))["token"]
    application = await Application.get(family_name=family)
    return str(application.id), token


def _payload(result: Any, name: str) -> dict[str, Any]:
    found: dict[str, Any] = data(result, name)
    return found


async def test_a_family_keeps_its_contact_current_and_withdraws(
    gql: GraphQLClient, world: World
) -> None:
    target, parent = await _linked(gql, world, "Rivera", "ana@example.test")
    bad = _payload(
        await gql.execute(UPDATE, {"i": {"applicationId": target, "email": "nope"}}, token=parent),
        "updateMyApplication",
    )
    assert codes(bad) == [("guardians.0.email", "INVALID_EMAIL")]
    no_phone = {"applicationId": target, "contactMethod": "SMS"}
    assert codes(
        _payload(await gql.execute(UPDATE, {"i": no_phone}, token=parent), "updateMyApplication")
    ) == [("phone", "NO_CONTACT")]
    change = {"applicationId": target, "phone": "(512) 555-0142", "contactMethod": "SMS"}
    updated = _payload(
        await gql.execute(UPDATE, {"i": change | {"language": "EN"}}, token=parent),
        "updateMyApplication",
    )["application"]
    assert updated["guardians"] == [{"email": "ana@example.test", "phone": "+15125550142"}]
    assert (updated["contactMethod"], updated["language"]) == ("SMS", "EN")
    entry = await AuditEntry.get(action="application.update_contact")
    assert entry.data["after"]["contact_method"] == "SMS"

    not_offered = await gql.execute(
        ANSWER, {"i": {"applicationId": target, "accept": True}}, token=parent
    )
    assert codes(_payload(not_offered, "answerApplicationOffer")) == [(None, "NOT_OFFERED")]
    withdrawn = _payload(
        await gql.execute(WITHDRAW, {"i": {"applicationId": target}}, token=parent),
        "withdrawMyApplication",
    )
    assert withdrawn["application"]["status"] == "WITHDRAWN"
    [notice] = await notices_to("+15125550142", "application_withdrawn")
    assert (notice.channel, notice.language) == (ContactMethod.SMS, Language.EN)
    again = await gql.execute(WITHDRAW, {"i": {"applicationId": target}}, token=parent)
    assert codes(_payload(again, "withdrawMyApplication")) == [(None, "NOT_OPEN")]
    assert (await mine(gql, parent))[0]["sites"][0]["position"] is None


async def test_only_the_linked_family_and_students_editors_of_the_site_act(
    gql: GraphQLClient, world: World
) -> None:
    target, owner = await _linked(gql, world, "Rivera", "ana@example.test")
    _, stranger = await _linked(gql, world, "Other", "olga@example.test")
    editor = await students_editor(world, world.site)
    offer = {"applicationId": target, "siteId": str(world.site.id)}
    enroll = {"applicationId": target, "classroomId": str(world.room.id)}
    staff_calls = [
        (INVITE, {"applicationIds": [target]}),
        (UNLINK, {"applicationIds": [target]}),
        (OFFER, offer),
        (ENROLL, enroll),
    ]

    # Another family sees none of it and reaches none of it.
    assert [a["number"] for a in await mine(gql, stranger)] == ["A-00002"]
    for document, given in (
        (WITHDRAW, {"applicationId": target}),
        (ANSWER, {"applicationId": target, "accept": False}),
        (UPDATE, {"applicationId": target, "phone": "5125550100"}),
    ):
        assert (await gql.execute(document, {"i": given}, token=stranger)).codes == ["NOT_FOUND"]
    # Staff, kiosks and signed-out callers have no family view.
    for token in (editor, (await make.kiosk(world.site, paired_by=world.admin))[1]):
        assert (await gql.execute(MINE, token=token)).codes == ["FORBIDDEN"]
    assert (await gql.execute(MINE)).codes == ["UNAUTHENTICATED"]

    # Without Students edit: refused, view-only role included.
    view_role = await make.role(world.agency, students=ModuleAccess.VIEW)
    viewer = await make.token_for(
        await make.staff(world.agency, role=view_role, sites=[world.site])
    )
    callers = {**(await refused(world)), "students view": viewer, "family": owner}
    for who, token in callers.items():
        for document, given in staff_calls:
            assert (await gql.execute(document, {"i": given}, token=token)).codes == [
                "FORBIDDEN"
            ], who
    # Another site's editor and another agency's admin: not found.
    for token in (
        await students_editor(world, world.other_site),
        await make.token_for(world.foreign_admin),
    ):
        result = data(
            await gql.execute(INVITE, {"i": staff_calls[0][1]}, token=token), "inviteApplications"
        )
        assert [r["outcome"] for r in result["results"]] == ["NOT_FOUND"]
        assert result["results"][0]["application"] is None
        for document, given in staff_calls[2:]:
            assert (await gql.execute(document, {"i": given}, token=token)).codes == ["NOT_FOUND"]
    assert not await AuditEntry.filter(
        action__in=["application.offer", "application.unlink", "application.enroll"]
    ).exists()
    assert await AuditEntry.filter(action="application.invite").count() == 2  # on submit

    # The rules: a desired site only, accepted before enrolling, and the family declines.
    elsewhere = await gql.execute(
        OFFER,
        {"i": offer | {"siteId": str(world.other_site.id)}},
        token=await make.token_for(world.admin),
    )
    assert codes(_payload(elsewhere, "offerApplicationPlace")) == [("siteId", "SITE_NOT_DESIRED")]
    early = _payload(await gql.execute(ENROLL, {"i": enroll}, token=editor), "enrollApplication")
    assert codes(early) == [(None, "NOT_ACCEPTED")]
    assert _payload(await gql.execute(OFFER, {"i": offer}, token=editor), "offerApplicationPlace")[
        "application"
    ] == {"status": "OFFERED"}
    declined = await gql.execute(
        ANSWER, {"i": {"applicationId": target, "accept": False}}, token=owner
    )
    assert _payload(declined, "answerApplicationOffer")["application"]["status"] == "DECLINED"
    assert await notices_to("ana@example.test", "application_declined")
