"""The issue's rules once more: a full inbox never shows on the public form, a batch item
refused by the message cap is left exactly as it was, and entering or unlinking
applications is refused to every other role and agency, and the family's own mutations to
staff, kiosks and signed-out callers."""

from __future__ import annotations

from models.audit import AuditEntry
from models.org import ModuleAccess
from models.waitlist import Application, ApplicationLink
from tests import factories as make
from tests.family.helpers import register
from tests.graphql import GraphQLClient
from tests.waitlist.helpers import ENTER, codes, data, form, refused, submit
from tests.waitlist.notices import ANSWER, INVITE, UNLINK, UPDATE, WITHDRAW, code_for, notices_to
from tests.world import World

CAP = 10  # notifications.DEFAULT_DESTINATION_HOURLY_CAP


async def test_a_full_inbox_changes_nothing_the_public_form_answers(
    gql: GraphQLClient, world: World
) -> None:
    for i in range(CAP + 1):
        answer = await submit(gql, world, form(world.site), ip=f"198.51.100.{i}")
        assert (answer["number"], answer["errors"]) == (f"A-{i + 1:05d}", [])
    # The eleventh got its number like the others; only its invitation waits for staff.
    assert len(await notices_to("marta@example.test", "application_invitation")) == CAP
    last = await Application.get(number=CAP + 1)
    assert await AuditEntry.filter(action="application.submit", target_id=last.id).exists()
    assert not await AuditEntry.filter(action="application.invite", target_id=last.id).exists()


async def test_a_capped_batch_item_keeps_its_open_code_and_the_others_go_out(
    gql: GraphQLClient, world: World
) -> None:
    await submit(gql, world, form(world.site))
    other = [{"firstName": "Olga", "lastName": "Other", "email": "olga@example.test"}]
    await submit(gql, world, form(world.site, family="Other", guardians=other))
    full, fine = [str(a.id) for a in await Application.all().order_by("number")]
    editor = await make.token_for(world.admin)
    for _ in range(CAP - 1):
        await gql.execute(INVITE, {"i": {"applicationIds": [full]}}, token=editor)
    last_code = await code_for(
        (await notices_to("marta@example.test", "application_invitation"))[-1]
    )

    result = await gql.execute(INVITE, {"i": {"applicationIds": [full, fine]}}, token=editor)
    outcomes = data(result, "inviteApplications")["results"]
    assert [r["outcome"] for r in outcomes] == ["TOO_MANY_MESSAGES", "INVITED"]
    assert await AuditEntry.filter(action="application.invite", target_id=full).count() == CAP
    # Nothing of the refused invite stayed: the code sent before still links.
    assert (await register(gql, last_code, "marta@example.test"))["errors"] == []
    assert await ApplicationLink.exists(application_id=full)


async def test_entering_and_unlinking_are_refused_to_other_roles_and_agencies(
    gql: GraphQLClient, world: World
) -> None:
    await submit(gql, world, form(world.site))
    [sent] = await notices_to("marta@example.test", "application_invitation")
    await register(gql, await code_for(sent), "marta@example.test")
    target = str((await Application.get(number=1)).id)
    view_role = await make.role(world.agency, students=ModuleAccess.VIEW)
    viewer = await make.staff(world.agency, role=view_role, sites=[world.site])
    callers = {**(await refused(world)), "students view": await make.token_for(viewer)}
    for who, token in callers.items():
        entered = await gql.execute(ENTER, {"i": form(world.site)}, token=token)
        assert entered.codes == ["FORBIDDEN"], who
        unlinked = await gql.execute(UNLINK, {"i": {"applicationIds": [target]}}, token=token)
        assert unlinked.codes == ["FORBIDDEN"], who
    signed_out = await gql.execute(ENTER, {"i": form(world.site)})
    assert signed_out.codes == ["UNAUTHENTICATED"]
    # The family's own mutations: no staff member or kiosk acts for the family.
    family_calls = [
        (WITHDRAW, {"applicationId": target}),
        (ANSWER, {"applicationId": target, "accept": True}),
        (UPDATE, {"applicationId": target, "phone": "5125550100"}),
    ]
    staff_and_kiosk = [
        callers["students view"],
        callers["kiosk"],
        await make.token_for(world.admin),
    ]
    for document, given in family_calls:
        for token in staff_and_kiosk:
            assert (await gql.execute(document, {"i": given}, token=token)).codes == ["FORBIDDEN"]
        assert (await gql.execute(document, {"i": given})).codes == ["UNAUTHENTICATED"]

    # Another agency's admin: our site is not theirs, our application not found.
    foreign = await make.token_for(world.foreign_admin)
    entered = data(
        await gql.execute(ENTER, {"i": form(world.site)}, token=foreign), "enterApplication"
    )
    assert codes(entered) == [("siteIds", "UNKNOWN_SITE")]
    result = await gql.execute(UNLINK, {"i": {"applicationIds": [target]}}, token=foreign)
    [outcome] = data(result, "unlinkApplications")["results"]
    assert (outcome["outcome"], outcome["application"]) == ("NOT_FOUND", None)
    assert await ApplicationLink.exists(application_id=target)
    assert await Application.all().count() == 1
    assert not await AuditEntry.filter(action="application.unlink").exists()
