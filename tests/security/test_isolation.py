"""One agency never sees another's data: every readable query, every role, canaries."""

from __future__ import annotations

from tests import factories as make
from tests.graphql import GraphQLClient
from tests.world import World

EVERYTHING = """
query($room: ID!, $site: ID!, $child: ID!) {
  viewer { ... on StaffViewer { name agencyId siteIds } }
  sites { id name classrooms { id name roster { child { firstName lastName stateSubsidyId
          familyAdults { firstName lastName email } } events { actor } } } }
  classroom(id: $room) { name roster { child { firstName } } }
  liveCounts(siteId: $site) { enrolled }
  child(id: $child) { firstName stateSubsidyId }
  children(classroomId: $room) { firstName }
}
"""


async def test_no_role_ever_reads_the_foreign_agency(gql: GraphQLClient, world: World) -> None:
    # Give the foreign agency some activity, so its events exist to leak.
    foreign_token = await make.token_for(world.foreign_admin)
    signed = await gql.execute(
        "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }",
        {"i": {"childIds": [str(world.foreign_kid.id)], "classroomId": str(world.foreign_room.id)}},
        token=foreign_token,
    )
    assert signed.data["signIn"]["errors"] == []

    staff = [
        world.admin,
        world.teacher,
        world.viewer,
        world.students_viewer,
        world.other_site_teacher,
    ]
    targets = [
        {
            "room": str(world.foreign_room.id),
            "site": str(world.foreign_site.id),
            "child": str(world.foreign_kid.id),
        },
        {"room": str(world.room.id), "site": str(world.site.id), "child": str(world.kids[0].id)},
    ]
    for member in staff:
        token = await make.token_for(member)
        for variables in targets:
            result = await gql.execute(EVERYTHING, variables, token=token)
            text = str(result.data) + str(result.errors)
            assert "CANARY" not in text, (member.email, variables)
            assert str(world.foreign_agency.id) not in text


async def test_the_foreign_agency_sees_its_own_data(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.foreign_admin)
    result = await gql.execute(
        "{ sites { name classrooms { roster { child { firstName } } } } }", token=token
    )
    assert result.data["sites"][0]["name"] == "CANARY_FOREIGN_SITE"
    roster = result.data["sites"][0]["classrooms"][0]["roster"]
    assert [r["child"]["firstName"] for r in roster] == ["CANARY_FOREIGN_KID"]
    assert "Ava" not in str(result.data)
