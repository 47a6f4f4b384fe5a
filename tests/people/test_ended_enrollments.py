"""A child whose enrollment ended leaves rosters, counts and kiosk lists the next day;
the days before keep their attendance."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from models.people import GuardianSlot
from tests import factories as make
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.world import World

ROSTER = """
query($id: ID!, $on: Date) {
  classroom(id: $id) { roster(date: $on) { child { firstName } status } }
}
"""
COUNTS = "query($site: ID!) { liveCounts(siteId: $site) { enrolled signedOut } }"
CHILDREN = "query($id: ID!) { children(classroomId: $id) { firstName } }"
IDENTIFY = "mutation($i: KioskPinInput!) { kioskIdentify(input: $i) { children { firstName } } }"
SIGN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }"
OUT = "mutation($i: SignOutInput!) { signOut(input: $i) { errors { code } } }"


async def _views(gql: GraphQLClient, world: World, kiosk: str) -> dict[str, Any]:
    token = await make.token_for(world.admin)
    roster = await gql.execute(ROSTER, {"id": str(world.room.id)}, token=token)
    counts = await gql.execute(COUNTS, {"site": str(world.site.id)}, token=token)
    children = await gql.execute(CHILDREN, {"id": str(world.room.id)}, token=token)
    pad = await gql.execute(IDENTIFY, {"i": {"pin": "271828"}}, token=kiosk)
    return {
        "roster": sorted(r["child"]["firstName"] for r in roster.data["classroom"]["roster"]),
        "children": sorted(c["firstName"] for c in children.data["children"]),
        "counts": counts.data["liveCounts"],
        "pad": [c["firstName"] for c in pad.data["kioskIdentify"]["children"]],
    }


async def test_an_ended_enrollment_drops_the_child_the_day_after_and_history_stays(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    family = await make.family(world.agency, "Family Zed")
    await make.adult_with_pin(family, pin="271828", slot=GuardianSlot.A)
    # The test clock's local today at the site is 2026-03-04: Zed's last day.
    zed = await make.child(world.room, of=family, first_name="Zed", ends_on=date(2026, 3, 4))
    _, kiosk = await make.kiosk(world.site, paired_by=world.admin)
    sign = {"i": {"childIds": [str(zed.id)], "classroomId": str(world.room.id)}}
    teacher = await make.token_for(world.teacher)
    assert (await gql.execute(SIGN, sign, token=teacher)).data["signIn"]["errors"] == []
    clock.advance(hours=6)
    assert (await gql.execute(OUT, sign, token=teacher)).data["signOut"]["errors"] == []

    today = await _views(gql, world, kiosk)
    assert today == {
        "roster": ["Ava", "Ben", "Cleo", "Zed"],
        "children": ["Ava", "Ben", "Cleo", "Zed"],
        "counts": {"enrolled": 4, "signedOut": 1},
        "pad": ["Zed"],
    }

    clock.advance(timedelta(days=1))
    tomorrow = await _views(gql, world, kiosk)
    assert tomorrow == {
        "roster": ["Ava", "Ben", "Cleo"],
        "children": ["Ava", "Ben", "Cleo"],
        "counts": {"enrolled": 3, "signedOut": 0},
        "pad": [],
    }
    past = await gql.execute(
        ROSTER,
        {"id": str(world.room.id), "on": "2026-03-04"},
        token=await make.token_for(world.admin),
    )
    assert {"child": {"firstName": "Zed"}, "status": "SIGNED_OUT"} in past.data["classroom"][
        "roster"
    ]
