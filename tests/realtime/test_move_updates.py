"""Moving a child between classrooms reaches the live rosters and counts of both rooms."""

from __future__ import annotations

from models.org import ModuleAccess
from realtime import channels
from services import org
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import LiveServer
from tests.realtime.test_subscriptions import COUNTS, graphql, sign
from tests.world import World
from tests.wsclient import WSClient

ROSTER = """
subscription($room: ID!) {
  rosterChanged(classroomId: $room) {
    child { firstName } classroomId status onRoster events { kind }
  }
}
"""
MOVE = """
mutation($i: MoveChildInput!) { moveChild(input: $i) { enrollment { startsOn } errors { code } } }
"""


async def test_a_move_today_drops_the_child_from_one_live_roster_and_adds_them_to_the_other(
    live: LiveServer, world: World, clock: FrozenClock
) -> None:
    ladybugs = await make.classroom(world.site, "Ladybugs")
    editor = await make.staff(
        world.agency,
        role=await make.role(world.agency, students=ModuleAccess.EDIT),
        sites=[world.site],
    )
    ava = world.kids[0]
    await sign(live, await make.token_for(world.teacher), world, [ava])

    viewer = await WSClient.connect(live.ws_url, await make.token_for(world.viewer))
    old_roster = await viewer.subscribe(ROSTER, {"room": str(world.room.id)})
    new_roster = await viewer.subscribe(ROSTER, {"room": str(ladybugs.id)})
    old_counts = await viewer.subscribe(
        COUNTS, {"site": str(world.site.id), "room": str(world.room.id)}
    )
    new_counts = await viewer.subscribe(
        COUNTS, {"site": str(world.site.id), "room": str(ladybugs.id)}
    )
    site_counts = await viewer.subscribe(COUNTS, {"site": str(world.site.id)})
    before = {
        "old": (await viewer.next(old_counts))["liveCounts"],
        "new": (await viewer.next(new_counts))["liveCounts"],
        "site": (await viewer.next(site_counts))["liveCounts"],
    }
    assert (before["old"]["enrolled"], before["old"]["signedIn"]) == (3, 1)
    assert (before["new"]["enrolled"], before["new"]["signedIn"]) == (0, 0)
    await live.subscribed(
        channels.classroom_roster(world.room.id),
        channels.classroom_roster(ladybugs.id),
        channels.site_counts(world.site.id),
    )

    today = org.local_date(world.site, clock.now()).isoformat()
    move = {"childId": str(ava.id), "toClassroomId": str(ladybugs.id), "on": today}
    moved = await graphql(live, await make.token_for(editor), MOVE, {"i": move})
    assert moved["data"]["moveChild"] == {"enrollment": {"startsOn": today}, "errors": []}

    left = (await viewer.next(old_roster))["rosterChanged"]
    assert left == {
        "child": {"firstName": "Ava"},
        "classroomId": str(world.room.id),
        "status": "SIGNED_IN",
        "onRoster": False,
        "events": [],
    }
    joined = (await viewer.next(new_roster))["rosterChanged"]
    assert joined == {
        "child": {"firstName": "Ava"},
        "classroomId": str(ladybugs.id),
        "status": "SIGNED_IN",
        "onRoster": True,
        "events": [],
    }
    old_after = (await viewer.next(old_counts))["liveCounts"]
    assert (old_after["enrolled"], old_after["signedIn"]) == (2, 0)
    new_after = (await viewer.next(new_counts))["liveCounts"]
    assert (new_after["enrolled"], new_after["signedIn"]) == (1, 1)
    # The site as a whole: Ava leaves and comes back; the last count is where it was.
    site_updates = [(await viewer.next(site_counts))["liveCounts"] for _ in range(2)]
    assert site_updates[-1] == before["site"]
    await viewer.close()
