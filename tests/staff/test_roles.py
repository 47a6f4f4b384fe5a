"""Agency admins create and change roles; the staff holding one get its access at once."""

from __future__ import annotations

from models.audit import AuditEntry
from models.org import Role
from realtime import channels
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.staff.helpers import CREATE_ROLE, UPDATE_ROLE, VIEWER, payload
from tests.world import World


async def test_create_role_with_module_access(gql: GraphQLClient, world: World) -> None:
    admin = await make.token_for(world.admin)
    variables = {"i": {"name": "Lead", "students": "EDIT", "attendance": "VIEW", "messaging": True}}
    created = payload(await gql.execute(CREATE_ROLE, variables, token=admin), "createRole")
    assert created["errors"] == []
    assert created["role"] == {
        "id": created["role"]["id"],
        "name": "Lead",
        "students": "EDIT",
        "attendance": "VIEW",
        "messaging": True,
        "siteAdmin": False,
    }
    entry = await AuditEntry.get(action="role.create")
    assert entry.data == {
        "before": None,
        "after": {
            "name": "Lead",
            "students": "EDIT",
            "attendance": "VIEW",
            "messaging": True,
            "site_admin": False,
        },
    }
    again = payload(await gql.execute(CREATE_ROLE, variables, token=admin), "createRole")
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("ROLE_NAME_TAKEN", "name")]
    assert await Role.filter(agency_id=world.agency.id, name="Lead").count() == 1


async def test_update_role_changes_its_holders_access_and_closes_their_sockets(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    role_id = str(world.viewer.role_id)
    variables = {"i": {"roleId": role_id, "students": "EDIT", "name": "Helper"}}
    updated = payload(await gql.execute(UPDATE_ROLE, variables, token=admin), "updateRole")
    assert updated["errors"] == []
    assert updated["role"]["students"] == "EDIT"
    # Unchanged values stay.
    assert updated["role"]["attendance"] == "VIEW"
    entry = await AuditEntry.get(action="role.update")
    assert entry.data["before"]["students"] == "NONE"
    assert entry.data["after"]["students"] == "EDIT"
    assert entry.data["after"]["name"] == "Helper"
    assert channels.access(world.viewer.id) in [c for c, _ in gql.broadcast.published]
    viewer = await make.token_for(world.viewer)
    grants = payload(await gql.execute(VIEWER, token=viewer), "viewer")["grants"]
    assert "EDIT_STUDENTS" in grants


async def test_roles_are_agency_admin_business(gql: GraphQLClient, world: World) -> None:
    create = {"i": {"name": "Sneaky", "attendance": "EDIT"}}
    update = {"i": {"roleId": str(world.viewer.role_id), "attendance": "EDIT"}}
    _, kiosk = await make.kiosk(world.site, paired_by=world.admin)
    for token in (
        await make.token_for(world.teacher),
        await make.token_for(world.viewer),
        kiosk,
    ):
        assert (await gql.execute(CREATE_ROLE, create, token=token)).codes == ["FORBIDDEN"]
        assert (await gql.execute(UPDATE_ROLE, update, token=token)).codes == ["FORBIDDEN"]
    foreign = await make.token_for(world.foreign_admin)
    assert (await gql.execute(UPDATE_ROLE, update, token=foreign)).codes == ["NOT_FOUND"]
    assert not await AuditEntry.filter(action__startswith="role.").exists()
    assert (await Role.get(id=world.viewer.role_id)).attendance == "VIEW"


async def test_a_blank_or_clashing_name_writes_nothing(gql: GraphQLClient, world: World) -> None:
    admin = await make.token_for(world.admin)
    blank = await gql.execute(CREATE_ROLE, {"i": {"name": "  "}}, token=admin)
    assert blank.codes == ["BAD_USER_INPUT"]
    other = await make.role(world.agency)
    clash = {"i": {"roleId": str(world.viewer.role_id), "name": other.name}}
    result = payload(await gql.execute(UPDATE_ROLE, clash, token=admin), "updateRole")
    assert [e["code"] for e in result["errors"]] == ["ROLE_NAME_TAKEN"]
    assert not await AuditEntry.filter(action__startswith="role.").exists()


async def test_admins_list_roles_and_staff(gql: GraphQLClient, world: World) -> None:
    admin = await make.token_for(world.admin)
    listed = await gql.execute("{ roles { name } staffMembers { email isActive } }", token=admin)
    assert listed.errors == []
    assert listed.data is not None
    assert len(listed.data["roles"]) == 3
    assert {m["email"] for m in listed.data["staffMembers"]} == {
        s.email
        for s in (
            world.admin,
            world.teacher,
            world.viewer,
            world.students_viewer,
            world.other_site_teacher,
        )
    }
    teacher = await make.token_for(world.teacher)
    assert (await gql.execute("{ staffMembers { email } }", token=teacher)).codes == ["FORBIDDEN"]
