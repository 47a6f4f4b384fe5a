"""The dashboard's numbers: child-days by status for the site's month so far, on its calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests import factories as make
from tests.attendance.day_close_helpers import local, sign
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.subsidy.helpers import connected_without_state, run
from tests.world import World

THIS_MONTH = """
query($s: ID!, $f: Date, $t: Date) {
  subsidyCounts(siteId: $s, fromDate: $f, toDate: $t) {
    fromDate toDate transferred outOfSync error
  }
}
"""


async def test_without_dates_the_counts_cover_the_sites_month_so_far(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    await connected_without_state(world, datetime(2026, 3, 1, tzinfo=UTC))
    ava, ben = world.kids[0], world.kids[1]
    clock.set(local("America/Chicago", date(2026, 2, 27), 8, 0))
    await sign(gql, world.teacher, world.room, [ava])  # last month: not counted
    clock.set(local("America/Chicago", date(2026, 3, 31), 8, 0))
    await sign(gql, world.teacher, world.room, [ava, ben])
    clock.advance(hours=9)
    await sign(gql, world.teacher, world.room, [ben], out=True)

    # 22:00 on 31 March in Chicago is already April in UTC: the site's calendar decides.
    clock.set(datetime(2026, 4, 1, 3, 0, tzinfo=UTC))
    data = await run(gql, world.viewer, THIS_MONTH, s=str(world.site.id))
    # Nobody is matched to the state's records yet: both days wait on a match.
    assert data["subsidyCounts"] == {
        "fromDate": "2026-03-01",
        "toDate": "2026-03-31",
        "transferred": 0,
        "outOfSync": 0,
        "error": 2,
    }

    clock.set(datetime(2026, 4, 1, 6, 0, tzinfo=UTC))  # 01:00 on 1 April in Chicago
    data = await run(gql, world.viewer, THIS_MONTH, s=str(world.site.id))
    assert data["subsidyCounts"]["fromDate"] == data["subsidyCounts"]["toDate"] == "2026-04-01"
    assert data["subsidyCounts"]["error"] == 0


async def test_one_date_alone_is_refused(gql: GraphQLClient, world: World) -> None:
    await connected_without_state(world, datetime(2026, 3, 1, tzinfo=UTC))
    viewer = await make.token_for(world.viewer)
    result = await gql.execute(
        THIS_MONTH, {"s": str(world.site.id), "f": "2026-03-01"}, token=viewer
    )
    assert result.codes == ["BAD_USER_INPUT"]


async def test_only_attendance_viewers_of_the_agency_read_the_counts(
    gql: GraphQLClient, world: World
) -> None:
    await connected_without_state(world, datetime(2026, 3, 1, tzinfo=UTC))
    site = {"s": str(world.site.id)}
    students_only = await gql.execute(
        THIS_MONTH, site, token=await make.token_for(world.students_viewer)
    )
    assert students_only.codes == ["FORBIDDEN"]
    foreign = await gql.execute(THIS_MONTH, site, token=await make.token_for(world.foreign_admin))
    assert foreign.codes == ["NOT_FOUND"]
    allowed = await gql.execute(THIS_MONTH, site, token=await make.token_for(world.viewer))
    assert allowed.errors == []
