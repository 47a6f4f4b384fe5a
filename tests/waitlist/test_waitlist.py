"""Staff lists: search and filters, waitlist positions per site and program with priority
flags first, status changes audited, and everyone else refused."""

from __future__ import annotations

from typing import Any

from models.audit import AuditEntry
from models.org import ModuleAccess
from models.waitlist import Application
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.waitlist.helpers import (
    CHANGE,
    LIST,
    ONE,
    codes,
    data,
    form,
    refused,
    students_editor,
    submit,
)
from tests.world import World

FLAG = (
    "mutation($i: DefinePriorityFlagInput!) { definePriorityFlag(input: $i) "
    "{ flag { id name rank } errors { field code } } }"
)
PROGRAM = "mutation($n: String!) { createProgram(input: {name: $n}) { program { id } } }"


async def _list(gql: GraphQLClient, token: str, **filters: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data(
        await gql.execute(LIST, filters, token=token), "applications"
    )
    return found


async def _change(gql: GraphQLClient, token: str, **change: Any) -> dict[str, Any]:
    found: dict[str, Any] = data(
        await gql.execute(CHANGE, {"i": change}, token=token), "changeApplication"
    )
    return found


async def _three_families(gql: GraphQLClient, world: World) -> None:
    """Adams, then Baker, then Chen apply for the main site; Baker also for Riverside."""
    await submit(gql, world, form(world.site, family="Adams"))
    gql.clock.advance(minutes=5)
    await submit(gql, world, form(world.site, world.other_site, family="Baker"))
    gql.clock.advance(minutes=5)
    await submit(gql, world, form(world.site, family="Chen"))


async def test_positions_follow_application_date_then_priority_flags(
    gql: GraphQLClient, world: World
) -> None:
    await _three_families(gql, world)
    admin = await make.token_for(world.admin)
    rows = await _list(gql, admin)
    assert [r["familyName"] for r in rows] == ["Chen", "Baker", "Adams"]
    main = str(world.site.id)
    positions = {r["familyName"]: {s["siteId"]: s["position"] for s in r["sites"]} for r in rows}
    assert positions == {
        "Adams": {main: 1},
        "Baker": {main: 2, str(world.other_site.id): 1},
        "Chen": {main: 3},
    }

    sibling = data(
        await gql.execute(FLAG, {"i": {"name": "Sibling", "rank": 1}}, token=admin),
        "definePriorityFlag",
    )["flag"]
    subsidy = data(
        await gql.execute(FLAG, {"i": {"name": "Subsidy", "rank": 2}}, token=admin),
        "definePriorityFlag",
    )["flag"]
    duplicate = data(
        await gql.execute(FLAG, {"i": {"name": "sibling", "rank": 3}}, token=admin),
        "definePriorityFlag",
    )
    assert codes(duplicate) == [("name", "DUPLICATE_NAME")]
    chen = next(r for r in rows if r["familyName"] == "Chen")
    baker = next(r for r in rows if r["familyName"] == "Baker")
    editor = await students_editor(world, world.site)
    await _change(gql, editor, applicationId=baker["id"], priorityFlagIds=[subsidy["id"]])
    changed = await _change(gql, editor, applicationId=chen["id"], priorityFlagIds=[sibling["id"]])
    assert changed["application"]["sites"] == [{"siteId": main, "position": 1}]
    order = [
        r["familyName"]
        for r in sorted(await _list(gql, admin), key=lambda r: r["sites"][0]["position"])
    ]
    assert order == ["Chen", "Baker", "Adams"]

    # Leaving the waitlist gives up the place; the others move up.
    left = await _change(gql, editor, applicationId=chen["id"], status="WITHDRAWN")
    assert left["application"]["sites"] == [{"siteId": main, "position": None}]
    assert [
        (r["familyName"], r["sites"][0]["position"])
        for r in await _list(gql, admin, siteId=main, status="SUBMITTED")
    ] == [("Baker", 1), ("Adams", 2)]


async def test_a_program_has_its_own_waitlist_and_filters_apply(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    pre_k = data(await gql.execute(PROGRAM, {"n": "Pre-K"}, token=admin), "createProgram")
    program_id = pre_k["program"]["id"]
    await submit(gql, world, form(world.site, family="Adams"))
    await submit(gql, world, form(world.site, family="Diaz", programId=program_id))
    rows = await _list(gql, admin, programId=program_id)
    assert [(r["familyName"], r["sites"][0]["position"]) for r in rows] == [("Diaz", 1)]
    assert [r["familyName"] for r in await _list(gql, admin, siteId=str(world.other_site.id))] == []
    assert [r["familyName"] for r in await _list(gql, admin, search="A-00001")] == ["Adams"]
    assert await _list(gql, admin, status="OFFERED") == []


async def test_status_changes_are_audited_and_enrolled_is_final(
    gql: GraphQLClient, world: World
) -> None:
    await submit(gql, world, form(world.site))
    application = await Application.get(number=1)
    editor = await students_editor(world, world.site)
    waitlisted = await _change(gql, editor, applicationId=str(application.id), status="WAITLISTED")
    assert waitlisted["application"]["status"] == "WAITLISTED"
    by_hand = await _change(gql, editor, applicationId=str(application.id), status="ENROLLED")
    assert codes(by_hand) == [("status", "USE_ENROLL_APPLICATION")]
    await Application.filter(id=application.id).update(status="ENROLLED")  # enrollApplication
    final = await _change(gql, editor, applicationId=str(application.id), status="OFFERED")
    assert codes(final) == [("status", "FINAL_STATUS")]
    unknown = await _change(
        gql, editor, applicationId=str(application.id), priorityFlagIds=["nope"]
    )
    assert codes(unknown) == [("priorityFlagIds", "UNKNOWN_PRIORITY")]

    entries = await AuditEntry.filter(
        action="application.change", target_id=application.id
    ).order_by("at", "id")
    assert [(e.data["before"]["status"], e.data["after"]["status"]) for e in entries] == [
        ("SUBMITTED", "WAITLISTED"),
    ]


async def test_only_students_staff_of_the_sites_reach_applications(
    gql: GraphQLClient, world: World
) -> None:
    await submit(gql, world, form(world.other_site, family="Ortega"))
    application = await Application.get(number=1)
    target = str(application.id)

    for who, token in (await refused(world)).items():
        listed = await gql.execute(LIST, {}, token=token)
        assert listed.codes == ["FORBIDDEN"], who
        changed = await gql.execute(
            CHANGE, {"i": {"applicationId": target, "status": "OFFERED"}}, token=token
        )
        assert changed.codes == ["FORBIDDEN"], who
    assert (await gql.execute(LIST, {})).codes == ["UNAUTHENTICATED"]  # signed out

    # Students view reads but never changes.
    view_role = await make.role(world.agency, students=ModuleAccess.VIEW)
    reader = await make.token_for(
        await make.staff(world.agency, role=view_role, sites=[world.other_site])
    )
    assert [r["familyName"] for r in await _list(gql, reader)] == ["Ortega"]
    view_change = await gql.execute(
        CHANGE, {"i": {"applicationId": target, "status": "OFFERED"}}, token=reader
    )
    assert view_change.codes == ["FORBIDDEN"]

    # Another site's Students editor, and another agency's admin: not found.
    for token in (
        await students_editor(world, world.site),
        await make.token_for(world.foreign_admin),
    ):
        assert await _list(gql, token) == []
        assert (await gql.execute(ONE, {"id": target}, token=token)).codes == ["NOT_FOUND"]
        missing = await gql.execute(
            CHANGE, {"i": {"applicationId": target, "status": "OFFERED"}}, token=token
        )
        assert missing.codes == ["NOT_FOUND"]
    assert (await Application.get(id=application.id)).status == "SUBMITTED"
    assert not await AuditEntry.filter(action="application.change").exists()


async def test_only_agency_admins_define_questions_and_flags(
    gql: GraphQLClient, world: World
) -> None:
    editor = await students_editor(world, world.site)
    for token in [editor, *(await refused(world)).values()]:
        result = await gql.execute(FLAG, {"i": {"name": "Sibling", "rank": 1}}, token=token)
        assert result.codes == ["FORBIDDEN"]
    admin = await make.token_for(world.admin)
    bad = data(
        await gql.execute(FLAG, {"i": {"name": " ", "rank": 0}}, token=admin), "definePriorityFlag"
    )
    assert codes(bad) == [("name", "INVALID_NAME")]
    question = await gql.execute(
        'mutation { defineApplicationQuestion(input: {prompt: "Days", kind: CHOICE, '
        'choices: ["Only one"]}) { errors { field code } } }',
        token=admin,
    )
    assert data(question, "defineApplicationQuestion")["errors"] == [
        {"field": "choices", "code": "INVALID_CHOICES"}
    ]
