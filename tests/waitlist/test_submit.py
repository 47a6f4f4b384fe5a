"""The public application form: no account, every field checked, limited per address,
and the same answer whoever applies."""

from __future__ import annotations

from models.audit import AuditEntry
from models.org import ModuleAccess
from models.waitlist import Application, ApplicationStatus
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.waitlist.helpers import (
    ENTER,
    LIST,
    codes,
    data,
    form,
    students_editor,
    submit,
)
from tests.world import World

QUESTION = (
    "mutation($i: DefineApplicationQuestionInput!) { defineApplicationQuestion(input: $i) "
    "{ question { id kind choices required } errors { field code } } }"
)
FORM = (
    "query($a: ID!) { applicationForm(agencyId: $a) { agencyName sites { name } "
    "programs { name } questions { id prompt kind choices required } } }"
)


async def _question(gql: GraphQLClient, token: str, **entry: object) -> dict[str, object]:
    result = await gql.execute(QUESTION, {"i": entry}, token=token)
    found: dict[str, object] = data(result, "defineApplicationQuestion")
    return found


async def test_a_family_applies_without_an_account_and_staff_find_it(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    sibling = (
        await _question(gql, admin, prompt="Sibling enrolled?", kind="YES_NO", required=True)
    )["question"]
    days = (
        await _question(gql, admin, prompt="Days", kind="CHOICE", choices=["Full week", "Mon-Wed"])
    )["question"]
    public = data(await gql.execute(FORM, {"a": str(world.agency.id)}), "applicationForm")
    assert public["agencyName"] == "Sunny Days"
    assert [s["name"] for s in public["sites"]] == ["Main Street", "Riverside"]
    assert [q["prompt"] for q in public["questions"]] == ["Sibling enrolled?", "Days"]

    answers = [
        {"questionId": sibling["id"], "value": "yes"},  # type: ignore[index]
        {"questionId": days["id"], "value": "Mon-Wed"},  # type: ignore[index]
    ]
    sent = await submit(gql, world, form(world.site, answers=answers))
    assert sent == {"number": "A-00001", "errors": []}
    again = await submit(
        gql, world, form(world.site, world.other_site, family="Okafor", answers=answers[:1])
    )
    assert again["number"] == "A-00002"

    token = await make.token_for(world.admin)
    rows = data(await gql.execute(LIST, {"search": "rivera"}, token=token), "applications")
    assert len(rows) == 1
    row = rows[0]
    assert row["status"] == "SUBMITTED"
    assert row["guardians"] == [
        {"firstName": "Marta", "lastName": "Rivera", "email": "marta@example.test", "phone": None}
    ]
    assert row["children"] == [
        {"firstName": "Lia", "lastName": "Rivera", "birthDate": "2023-05-01"}
    ]
    assert row["language"] == "ES"
    assert sorted(a["value"] for a in row["answers"]) == ["Mon-Wed", "YES"]
    assert row["sites"] == [{"siteId": str(world.site.id), "position": 1}]
    by_number = data(await gql.execute(LIST, {"search": "a-2"}, token=token), "applications")
    assert [r["familyName"] for r in by_number] == ["Okafor"]

    audit = await AuditEntry.filter(action="application.submit").order_by("at", "id")
    assert [e.data["number"] for e in audit] == ["A-00001", "A-00002"]


async def test_every_bad_field_is_reported_and_nothing_is_written(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    await _question(gql, admin, prompt="Allergies?", kind="TEXT", required=True)
    bad = form(
        world.foreign_site,
        children=[{"firstName": " ", "lastName": "X", "birthDate": "2027-01-01"}],
        guardians=[{"firstName": "Ana", "lastName": "Diaz", "email": "not-an-email"}],
        contactMethod="SMS",
        desiredStart="2026-01-01",
        programId="nope",
        answers=[{"questionId": "00000000-0000-0000-0000-000000000000", "value": "x"}],
    )
    found = await submit(gql, world, bad)
    assert found["number"] is None
    assert {code for _field, code in codes(found)} == {
        "INVALID_NAME",
        "INVALID_BIRTH_DATE",
        "INVALID_EMAIL",
        "NO_CONTACT",
        "UNKNOWN_SITE",
        "UNKNOWN_PROGRAM",
        "UNKNOWN_QUESTION",
        "ANSWER_REQUIRED",
        "INVALID_START_DATE",
    }
    assert ("children.0.firstName", "INVALID_NAME") in codes(found)
    assert ("guardians.0.phone", "NO_CONTACT") in codes(found)
    assert await Application.all().count() == 0
    assert await AuditEntry.filter(action="application.submit").count() == 0

    no_kids = await submit(gql, world, form(world.site, children=[]))
    assert ("children", "INVALID_COUNT") in codes(no_kids)
    bad_phone = form(
        world.site,
        guardians=[{"firstName": "Ana", "lastName": "Diaz", "phone": "123"}],
        contactMethod="SMS",
    )
    assert ("guardians.0.phone", "INVALID_PHONE") in codes(await submit(gql, world, bad_phone))


async def test_an_unknown_agency_is_not_found(gql: GraphQLClient, world: World) -> None:
    result = await gql.execute(
        "mutation($i: ApplicationInput!) { submitApplication("
        'agencyId: "00000000-0000-0000-0000-000000000000", input: $i) { number } }',
        {"i": form(world.site)},
    )
    assert result.codes == ["NOT_FOUND"]


async def test_the_same_family_twice_gets_the_same_kind_of_answer(
    gql: GraphQLClient, world: World
) -> None:
    first = await submit(gql, world, form(world.site))
    second = await submit(gql, world, form(world.site))
    # No hint that this family already applied: a new number, no error.
    assert first["errors"] == second["errors"] == []
    assert first["number"] != second["number"]


async def test_the_public_form_is_limited_per_address(gql: GraphQLClient, world: World) -> None:
    for _ in range(5):
        assert (await submit(gql, world, form(world.site), ip="198.51.100.7"))["number"]
    refused = await submit(gql, world, form(world.site), ip="198.51.100.7")
    assert codes(refused) == [(None, "TOO_MANY_ATTEMPTS")]
    # Another address is untouched; an hour later the first one may apply again.
    assert (await submit(gql, world, form(world.site), ip="198.51.100.8"))["number"]
    gql.clock.advance(hours=1, seconds=1)
    assert (await submit(gql, world, form(world.site), ip="198.51.100.7"))["number"]
    assert await Application.all().count() == 7


async def test_staff_enter_an_application_for_their_sites_only(
    gql: GraphQLClient, world: World
) -> None:
    token = await students_editor(world, world.site)
    entered = data(
        await gql.execute(ENTER, {"i": form(world.site)}, token=token), "enterApplication"
    )
    assert entered["errors"] == []
    assert entered["application"]["number"] == "A-00001"
    assert entered["application"]["status"] == ApplicationStatus.SUBMITTED.value
    elsewhere = data(
        await gql.execute(ENTER, {"i": form(world.other_site)}, token=token), "enterApplication"
    )
    assert codes(elsewhere) == [("siteIds", "UNKNOWN_SITE")]

    viewer_role = await make.role(world.agency, students=ModuleAccess.VIEW)
    viewer = await make.staff(world.agency, role=viewer_role, sites=[world.site])
    refused = await gql.execute(ENTER, {"i": form(world.site)}, token=await make.token_for(viewer))
    assert refused.codes == ["FORBIDDEN"]
    assert await Application.all().count() == 1
