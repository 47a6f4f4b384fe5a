"""What signing a family in and out costs in SQL statements, at the pad and at staff's.

A family of ten arrives at the door at the same hour as a family of one: neither the
staff entry nor the PIN pad may cost a statement per child (or per classroom). The pad
does a fixed amount of work the staff entry does not (``PAD_EXTRA``).
"""

from __future__ import annotations

from typing import Any

from models.org import Classroom
from models.people import Child, Family, GuardianSlot
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.querycount import count_queries
from tests.world import World

# What the pad reads and the staff entry does not, whatever the number of children:
#   4  the PIN attempt: the kiosk and site row locks, the PIN lookup, the adult;
#   2  the pad state the payload shows (kiosk, site);
#   1  the pad's children with their day (enrollments incl. shared pickups, sessions,
#      events: 3) against the staff entry's classroom and enrollment checks (2);
#   5  the guardian's entries waiting for confirmation (services/confirmations.py).
#   2  the published roster rows: the staff entry hands over the enrollments it checked,
#      and on a child's first entry of the day skips the signature read (2 of 4).
# The write (3) costs both paths the same.
PAD_EXTRA = 14

PAD_VISIT = """
    adult { id } children { id status }
    unconfirmedEntries { id childId childDisplayName kind at date reason correctedFrom }
    padState { locked reason } errors { code field }
"""
IDENTIFY = f"mutation($i: KioskPinInput!) {{ kioskIdentify(input: $i) {{ {PAD_VISIT} }} }}"
KIOSK_IN = f"mutation($i: KioskSignInput!) {{ kioskSignIn(input: $i) {{ {PAD_VISIT} }} }}"
KIOSK_OUT = f"mutation($i: KioskSignInput!) {{ kioskSignOut(input: $i) {{ {PAD_VISIT} }} }}"
STAFF_IN = """
mutation($i: SignInInput!) { signIn(input: $i) { entries { child { id } status } errors { code } } }
"""
STAFF_OUT = """
mutation($i: SignOutInput!) {
  signOut(input: $i) { entries { child { id } status } errors { code } }
}
"""


class Desk:
    """The world's main site with a paired pad, and the principals that act there."""

    def __init__(self, gql: GraphQLClient, world: World) -> None:
        self.gql = gql
        self.world = world
        self.pins = 0

    async def open(self) -> Desk:
        self.staff = await self.gql.principal_for(await make.token_for(self.world.admin))
        _, token = await make.kiosk(self.world.site, paired_by=self.world.admin)
        self.pad = await self.gql.principal_for(token)
        return self

    async def family(self, rooms: list[Classroom], size: int) -> tuple[Family, str, list[Child]]:
        """A guardian with a PIN and ``size`` children spread over ``rooms`` in turn."""
        family = await make.family(self.world.agency)
        self.pins += 1
        _, pin = await make.adult_with_pin(family, slot=GuardianSlot.A, pin=f"7{self.pins:02}913")
        kids = [await make.child(rooms[k % len(rooms)], of=family) for k in range(size)]
        return family, pin, kids

    async def staff_sign(self, kids: list[Child], room: Classroom, *, out: bool = False) -> int:
        """Statements of one staff entry; it leaves entries for the guardian to confirm."""
        variables = {"i": {"childIds": [str(k.id) for k in kids], "classroomId": str(room.id)}}
        with count_queries() as statements:
            result = await self.gql.execute(
                STAFF_OUT if out else STAFF_IN, variables, principal=self.staff
            )
        assert result.errors == [], result
        assert result.data is not None
        assert result.data["signOut" if out else "signIn"]["errors"] == []
        return len(statements)

    async def pad_sign(
        self, pin: str, kids: list[Child], *, out: bool = False
    ) -> tuple[int, dict[str, Any]]:
        variables = {"i": {"pin": pin, "childIds": [str(k.id) for k in kids]}}
        with count_queries() as statements:
            result = await self.gql.execute(
                KIOSK_OUT if out else KIOSK_IN, variables, principal=self.pad
            )
        assert result.errors == [], result
        assert result.data is not None
        payload: dict[str, Any] = result.data["kioskSignOut" if out else "kioskSignIn"]
        assert payload["errors"] == []
        return len(statements), payload

    async def identify(self, pin: str) -> dict[str, Any]:
        result = await self.gql.execute(IDENTIFY, {"i": {"pin": pin}}, principal=self.pad)
        assert result.errors == [], result
        assert result.data is not None
        payload: dict[str, Any] = result.data["kioskIdentify"]
        return payload


async def test_a_staff_entry_costs_the_same_for_one_child_or_ten(
    gql: GraphQLClient, world: World
) -> None:
    desk = await Desk(gql, world).open()
    costs = {}
    for size in (1, 2, 10):
        _, _, kids = await desk.family([world.room], size)
        costs[size] = (
            await desk.staff_sign(kids, world.room),
            await desk.staff_sign(kids, world.room, out=True),
        )
    assert costs[1] == costs[2] == costs[10], costs


async def test_the_pin_pad_costs_the_same_for_one_child_or_ten_and_little_more_than_staff(
    gql: GraphQLClient, world: World
) -> None:
    desk = await Desk(gql, world).open()
    costs = {}
    for size in (1, 2, 10):
        _, pin, kids = await desk.family([world.room], size)
        # Staff's own entry first: its cost is the yardstick, and it leaves the family
        # entries to confirm, so the pad reads everything it can read.
        staff_in = await desk.staff_sign(kids, world.room)
        staff_out = await desk.staff_sign(kids, world.room, out=True)
        pad_in, _ = await desk.pad_sign(pin, kids)
        pad_out, _ = await desk.pad_sign(pin, kids, out=True)
        assert pad_in <= staff_in + PAD_EXTRA, (size, pad_in, staff_in)
        assert pad_out <= staff_out + PAD_EXTRA, (size, pad_out, staff_out)
        costs[size] = (pad_in, pad_out)
    assert costs[1] == costs[2] == costs[10], costs


async def test_a_family_spread_over_many_rooms_costs_the_pad_what_one_room_does(
    gql: GraphQLClient, world: World
) -> None:
    desk = await Desk(gql, world).open()
    rooms = [await make.classroom(world.site, f"Room {i}") for i in range(10)]
    costs = []
    for spread in (rooms[:1], rooms):
        _, pin, kids = await desk.family(spread, 10)
        await desk.staff_sign(kids[:1], spread[0])
        await desk.staff_sign(kids[:1], spread[0], out=True)
        pad_in, _ = await desk.pad_sign(pin, kids)
        pad_out, _ = await desk.pad_sign(pin, kids, out=True)
        costs.append((pad_in, pad_out))
    assert costs[0] == costs[1], costs


async def test_after_signing_the_pad_shows_what_it_would_show_on_a_fresh_visit(
    gql: GraphQLClient, world: World
) -> None:
    desk = await Desk(gql, world).open()
    toddlers = await make.classroom(world.site, "Toddlers")
    _, pin, kids = await desk.family([world.room, toddlers], 4)
    await desk.staff_sign([kids[0]], world.room)
    await desk.staff_sign([kids[0]], world.room, out=True)

    _, signed_in = await desk.pad_sign(pin, kids[1:3])
    assert signed_in == await desk.identify(pin)
    assert {c["id"]: c["status"] for c in signed_in["children"]} == {
        str(kids[0].id): "SIGNED_OUT",
        str(kids[1].id): "SIGNED_IN",
        str(kids[2].id): "SIGNED_IN",
        str(kids[3].id): "NOT_ARRIVED",
    }
    assert [e["childId"] for e in signed_in["unconfirmedEntries"]] == [str(kids[0].id)] * 2

    _, signed_out = await desk.pad_sign(pin, kids[1:2], out=True)
    assert signed_out == await desk.identify(pin)
    assert [c["status"] for c in signed_out["children"] if c["id"] == str(kids[1].id)] == [
        "SIGNED_OUT"
    ]
