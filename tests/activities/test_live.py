"""A logged or removed activity redraws the child's row on live rosters."""

from __future__ import annotations

from datetime import timedelta

from models.activities import ActivityKind
from realtime import channels
from tests import factories as make
from tests.activities.helpers import LOG, REMOVE, label
from tests.clock import FrozenClock
from tests.conftest import LiveServer
from tests.realtime.test_subscriptions import graphql, sign
from tests.world import World
from tests.wsclient import WSClient

ROSTER = """
subscription($room: ID!) {
  rosterChanged(classroomId: $room) {
    child { firstName } status activities(includeRemoved: true) { name healthResult removedAt }
  }
}
"""


async def test_live_rosters_show_logged_and_removed_activities(
    live: LiveServer, world: World, clock: FrozenClock
) -> None:
    check = await label(world.agency.id, "Health check", ActivityKind.HEALTH_CHECK, now=clock.now())
    teacher = await make.token_for(world.teacher)
    ava = world.kids[0]
    await sign(live, teacher, world, [ava])
    clock.advance(minutes=20)

    viewer = await WSClient.connect(live.ws_url, await make.token_for(world.viewer))
    sub = await viewer.subscribe(ROSTER, {"room": str(world.room.id)})
    await live.subscribed(channels.classroom_roster(world.room.id))

    at = (clock.now() - timedelta(minutes=5)).isoformat()
    batch = {
        "childIds": [str(ava.id)],
        "activityIds": [str(check.id)],
        "at": at,
        "healthResult": "SENT_HOME",
        "note": "Fever 38.5",
    }
    logged = await graphql(live, teacher, LOG, {"i": batch})
    [activity] = logged["data"]["logActivities"]["activities"]
    row = (await viewer.next(sub))["rosterChanged"]
    assert row == {
        "child": {"firstName": "Ava"},
        "status": "SIGNED_IN",
        "activities": [{"name": "Health check", "healthResult": "SENT_HOME", "removedAt": None}],
    }

    removed = await graphql(live, teacher, REMOVE, {"i": {"id": activity["id"], "reason": "Oops"}})
    assert removed["data"]["removeActivity"]["errors"] == []
    row = (await viewer.next(sub))["rosterChanged"]
    assert row["activities"] == [
        {"name": "Health check", "healthResult": "SENT_HOME", "removedAt": clock.now().isoformat()}
    ]
    await viewer.close()
