from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from auth.principals import Anonymous, KioskPrincipal, ParentPrincipal
from models.audit import AuditEntry
from models.org import ModuleAccess
from models.people import Child
from services import people
from tests import factories as make
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.world import World

CHILD = """
query($id: ID!) { child(id: $id) { firstName dateOfBirth stateSubsidyId } }
"""
UPDATE = """
mutation($i: UpdateChildInput!) {
  updateChild(input: $i) { child { firstName stateSubsidyId } errors { code field } }
}
"""
ROSTER_WITH_PRIVATE = """
query($id: ID!) { classroom(id: $id) { roster { child { firstName stateSubsidyId } } } }
"""


async def test_students_view_only_reads_child_records(gql: GraphQLClient, world: World) -> None:
    await Child.filter(id=world.kids[0].id).update(state_subsidy_id="TX-12345678")
    token = await make.token_for(world.students_viewer)
    result = await gql.execute(CHILD, {"id": str(world.kids[0].id)}, token=token)
    assert result.errors == []
    assert result.data["child"] == {
        "firstName": "Ava",
        "dateOfBirth": "2021-05-17",
        "stateSubsidyId": "TX-12345678",
    }


async def test_students_view_only_cannot_edit_a_child(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.students_viewer)
    result = await gql.execute(
        UPDATE, {"i": {"childId": str(world.kids[0].id), "firstName": "Eve"}}, token=token
    )
    assert result.codes == ["FORBIDDEN"]
    assert (await Child.get(id=world.kids[0].id)).first_name == "Ava"


async def test_students_editor_updates_a_child_and_it_is_audited(
    gql: GraphQLClient, world: World
) -> None:
    editor_role = await make.role(world.agency, students=ModuleAccess.EDIT)
    editor = await make.staff(world.agency, role=editor_role, sites=[world.site])
    token = await make.token_for(editor)
    result = await gql.execute(
        UPDATE,
        {"i": {"childId": str(world.kids[0].id), "firstName": " Eva ", "stateSubsidyId": "TX-1"}},
        token=token,
    )
    assert result.data["updateChild"] == {
        "child": {"firstName": "Eva", "stateSubsidyId": "TX-1"},
        "errors": [],
    }
    audit = await AuditEntry.get(action="people.update_child")
    assert audit.data["before"]["first_name"] == "Ava"
    assert audit.data["after"]["first_name"] == "Eva"
    assert audit.actor_id == str(editor.id)


async def test_an_implausible_birth_date_is_refused_and_nothing_changes(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.admin)
    result = await gql.execute(
        UPDATE, {"i": {"childId": str(world.kids[0].id), "dateOfBirth": "2999-01-01"}}, token=token
    )
    assert result.data["updateChild"]["errors"] == [
        {"code": "IMPLAUSIBLE_DATE_OF_BIRTH", "field": "dateOfBirth"}
    ]
    assert await AuditEntry.filter(action="people.update_child").count() == 0


async def test_attendance_staff_see_names_but_not_private_fields(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.viewer)
    result = await gql.execute(ROSTER_WITH_PRIVATE, {"id": str(world.room.id)}, token=token)
    roster = result.data["classroom"]["roster"]
    assert [r["child"]["firstName"] for r in roster] == ["Ava", "Ben", "Cleo"]
    assert all(r["child"]["stateSubsidyId"] is None for r in roster)
    assert set(result.codes) == {"FORBIDDEN"}
    direct = await gql.execute(CHILD, {"id": str(world.kids[0].id)}, token=token)
    assert direct.codes == ["FORBIDDEN"]


async def test_no_one_reads_another_agencys_child(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.admin)
    result = await gql.execute(CHILD, {"id": str(world.foreign_kid.id)}, token=token)
    assert result.codes == ["NOT_FOUND"]
    assert "CANARY" not in str(result.data) + str(result.errors)


async def test_a_parent_reads_their_own_children_and_no_others(
    world: World, clock: FrozenClock
) -> None:
    sibling = await make.child(world.room, of=await world.kids[0].family, first_name="Dot")
    parent = ParentPrincipal(
        session_id=uuid4(),
        account_id=uuid4(),
        login="parent@example.com",
        adult_ids=frozenset(),
        family_ids=frozenset({world.kids[0].family_id, world.foreign_kid.family_id}),
        # Linked to a foreign family, but not connected to that agency: not its child.
        agency_ids=frozenset({world.agency.id}),
        expires_at=clock.now() + timedelta(hours=1),
    )
    readable = await people.readable_children(parent).order_by("first_name")
    assert [c.first_name for c in readable] == ["Ava", "Dot"]
    assert {c.id for c in readable} == {world.kids[0].id, sibling.id}


async def test_kiosks_and_signed_out_callers_read_no_children(
    world: World, clock: FrozenClock
) -> None:
    kiosk = KioskPrincipal(
        session_id=uuid4(),
        kiosk_id=uuid4(),
        site_id=world.site.id,
        agency_id=world.agency.id,
        name="Front door",
        expires_at=clock.now() + timedelta(days=30),
    )
    assert await people.readable_children(kiosk) == []
    assert await people.readable_children(Anonymous(ip_address="203.0.113.9")) == []
    assert await Child.filter(id=world.kids[0].id).exists()
