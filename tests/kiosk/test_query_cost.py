"""What signing a family in and out costs in SQL statements, at the pad and at staff's.

A family of ten arrives at the door at the same hour as a family of one: neither the
staff entry nor the PIN pad may cost a statement per child (or per classroom). The pad
does a fixed amount of work the staff entry does not.
"""

from __future__ import annotations

from typing import Any

from models.org import Classroom
from models.people import Child, Family, GuardianSlot
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.querycount import count_queries
from tests.world import World

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
