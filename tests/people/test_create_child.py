"""Registering children: who may, in which family, and what is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from models.audit import AuditEntry
from models.people import Child, Family
from tests import factories as make
from tests.graphql import GraphQLClient, Result
from tests.people.conftest import Callers
from tests.world import World

CREATE = """
mutation($i: CreateChildInput!) {
  createChild(input: $i) {
    child { id firstName middleName lastName dateOfBirth stateSubsidyId notes familyId }
    errors { code field }
  }
}
"""
CHILD = "query($id: ID!) { child(id: $id) { firstName familyId notes enrollments { id } } }"
UPDATE = """
mutation($i: UpdateChildInput!) {
  updateChild(input: $i) { child { notes stateSubsidyId } errors { code field } }
}
"""


def _new(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "i": {
            "siteId": str(world.site.id),
            "firstName": " Mia ",
            "middleName": "Rose",
            "lastName": "Okafor",
            "dateOfBirth": "2022-08-09",
            "stateSubsidyId": "TX-778",
            "notes": "Peanut allergy: EpiPen in the office.",
            **fields,
        }
    }


async def _create(gql: GraphQLClient, token: str, variables: dict[str, Any]) -> Result:
    return await gql.execute(CREATE, variables, token=token)


def _canonical(data: object) -> str:
    return json.dumps(data, sort_keys=True)


async def _nothing_written(children_before: int, families_before: int) -> None:
    assert await Child.all().count() == children_before
    assert await Family.all().count() == families_before
    assert await AuditEntry.filter(action__startswith="people.create").count() == 0


async def test_an_editor_registers_a_child_in_a_new_family_and_it_is_audited(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    token = await make.token_for(callers.editor)
    result = await _create(gql, token, _new(world))
    assert result.errors == []
    created = result.data["createChild"]
    assert created["errors"] == []
    child = created["child"]
    assert {k: v for k, v in child.items() if k not in ("id", "familyId")} == {
        "firstName": "Mia",
        "middleName": "Rose",
        "lastName": "Okafor",
        "dateOfBirth": "2022-08-09",
        "stateSubsidyId": "TX-778",
        "notes": "Peanut allergy: EpiPen in the office.",
    }
    family = await Family.get(id=child["familyId"])
    assert family.name == "Okafor"
    assert str(family.agency_id) == str(world.agency.id)

    entry = await AuditEntry.get(action="people.create_child")
    assert entry.actor_id == str(callers.editor.id)
    assert entry.target_id == child["id"]
    assert entry.data["before"] is None
    assert entry.data["after"]["first_name"] == "Mia"
    assert entry.data["after"]["date_of_birth"] == "2022-08-09"
    assert entry.data["after"]["family_id"] == child["familyId"]
    family_entry = await AuditEntry.get(action="people.create_family")
    assert family_entry.data == {"before": None, "after": {"name": "Okafor"}}


async def test_a_registered_child_is_read_at_its_site_before_any_enrollment(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    result = await _create(gql, await make.token_for(callers.editor), _new(world))
    child_id = result.data["createChild"]["child"]["id"]

    viewer = await gql.execute(
        CHILD, {"id": child_id}, token=await make.token_for(world.students_viewer)
    )
    assert viewer.errors == []
    assert viewer.data["child"]["enrollments"] == []
    other_site = await gql.execute(
        CHILD, {"id": child_id}, token=await make.token_for(callers.other_site_editor)
    )
    assert other_site.codes == ["NOT_FOUND"]


async def test_a_sibling_joins_an_existing_family(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    family_id = str(world.kids[0].family_id)
    families = await Family.all().count()
    result = await _create(
        gql, await make.token_for(callers.editor), _new(world, familyId=family_id)
    )
    assert result.data["createChild"]["child"]["familyId"] == family_id
    assert await Family.all().count() == families
    assert not await AuditEntry.exists(action="people.create_family")


@pytest.mark.parametrize("whose", ["foreign", "other_site", "unknown"])
async def test_a_family_the_editor_cannot_reach_is_not_found(
    gql: GraphQLClient, world: World, callers: Callers, whose: str
) -> None:
    other_site_kid = await make.child(world.other_room)
    family_id = {
        "foreign": str(world.foreign_kid.family_id),
        "other_site": str(other_site_kid.family_id),
        "unknown": "5b0c5c3e-64f6-4a39-9d07-9a8c3f0e1d22",
    }[whose]
    children, families = await Child.all().count(), await Family.all().count()
    result = await _create(
        gql, await make.token_for(callers.editor), _new(world, familyId=family_id)
    )
    assert result.codes == ["NOT_FOUND"]
    assert "CANARY" not in str(result.data) + str(result.errors)
    await _nothing_written(children, families)


@pytest.mark.parametrize("where", ["other_site", "foreign_site"])
async def test_a_child_is_not_registered_at_a_site_the_editor_does_not_work_at(
    gql: GraphQLClient, world: World, callers: Callers, where: str
) -> None:
    site = world.other_site if where == "other_site" else world.foreign_site
    children, families = await Child.all().count(), await Family.all().count()
    result = await _create(
        gql, await make.token_for(callers.editor), _new(world, siteId=str(site.id))
    )
    assert result.codes == ["NOT_FOUND"]
    await _nothing_written(children, families)


async def test_view_only_parents_and_kiosks_cannot_register_children(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    children, families = await Child.all().count(), await Family.all().count()
    viewer = await _create(gql, await make.token_for(world.students_viewer), _new(world))
    assert viewer.codes == ["FORBIDDEN"]
    for principal in (callers.parent, callers.kiosk):
        result = await gql.execute(CREATE, _new(world), principal=principal)
        assert result.codes == ["FORBIDDEN"]
    await _nothing_written(children, families)


@pytest.mark.parametrize(
    ("born", "code"),
    [
        # The test clock's local today at the site is 2026-03-04.
        ("2026-03-05", "IMPLAUSIBLE_DATE_OF_BIRTH"),
        ("1950-01-01", "IMPLAUSIBLE_DATE_OF_BIRTH"),
    ],
)
async def test_a_birth_date_in_the_future_is_refused_and_nothing_is_written(
    gql: GraphQLClient, world: World, callers: Callers, born: str, code: str
) -> None:
    children, families = await Child.all().count(), await Family.all().count()
    result = await _create(gql, await make.token_for(callers.editor), _new(world, dateOfBirth=born))
    assert result.data["createChild"] == {
        "child": None,
        "errors": [{"code": code, "field": "dateOfBirth"}],
    }
    await _nothing_written(children, families)


async def test_a_blank_name_is_bad_input(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    children, families = await Child.all().count(), await Family.all().count()
    result = await _create(gql, await make.token_for(callers.editor), _new(world, lastName="  "))
    assert result.codes == ["BAD_USER_INPUT"]
    await _nothing_written(children, families)


async def test_an_editor_changes_notes_and_the_audit_keeps_both(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    token = await make.token_for(callers.editor)
    kid = str(world.kids[0].id)
    first = await gql.execute(UPDATE, {"i": {"childId": kid, "notes": "Naps at 1."}}, token=token)
    assert first.data["updateChild"] == {
        "child": {"notes": "Naps at 1.", "stateSubsidyId": None},
        "errors": [],
    }
    await gql.execute(UPDATE, {"i": {"childId": kid, "notes": "  "}}, token=token)
    # Both entries may carry the same instant, and JSON keys come back in any order.
    expected = [
        {"before": {"notes": None}, "after": {"notes": "Naps at 1."}},
        {"before": {"notes": "Naps at 1."}, "after": {"notes": None}},
    ]
    found = [e.data for e in await AuditEntry.filter(action="people.update_child")]
    assert sorted(map(_canonical, found)) == sorted(map(_canonical, expected))
    assert (await Child.get(id=kid)).notes is None


async def test_notes_are_for_students_staff_only(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    await Child.filter(id=world.kids[0].id).update(notes="Custody order on file.")
    roster = """query($id: ID!) { classroom(id: $id) { roster { child { notes familyId } } } }"""
    result = await gql.execute(
        roster, {"id": str(world.room.id)}, token=await make.token_for(world.viewer)
    )
    assert all(
        r["child"] == {"notes": None, "familyId": None} for r in result.data["classroom"]["roster"]
    )
    assert set(result.codes) == {"FORBIDDEN"}
