"""Who may connect, match, read and re-send: each allowed call and the refused ones."""

from __future__ import annotations

from typing import Any

import pytest

from models.audit import AuditEntry
from models.org import ModuleAccess, StaffUser
from models.subsidy import MatchStatus, SubsidyConnection
from server.settings import Settings
from tests import factories as make
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.subsidy.conftest import PROVIDER
from tests.subsidy.helpers import (
    CONNECT,
    DAYS,
    DISCONNECT,
    MATCH,
    MATCHES,
    RESEND,
    TRANSMISSIONS,
    UNMATCH,
    connect,
    exporter,
    use_state,
)
from tests.subsidy.state_server import StateSystemServer
from tests.world import World


@pytest.fixture
async def connected(
    gql: GraphQLClient,
    settings: Settings,
    world: World,
    state: StateSystemServer,
    clock: FrozenClock,
) -> World:
    state.add_child(PROVIDER, "S-1", "Someone", "Else", world.kids[0].date_of_birth)
    use_state(gql, settings, state)
    assert (await connect(gql, world.admin, str(world.site.id)))["errors"] == []
    worker = exporter(state, clock)
    try:
        await worker.run_once()
    finally:
        await worker.aclose()
    return world


async def _codes(gql: GraphQLClient, who: StaffUser | str, query: str, **variables: Any) -> Any:
    token = who if isinstance(who, str) else await make.token_for(who)
    result = await gql.execute(query, variables, token=token)
    return result.codes, result.data


async def _students_editor(world: World) -> StaffUser:
    role = await make.role(world.agency, students=ModuleAccess.EDIT)
    return await make.staff(world.agency, role=role, sites=[world.site])


async def test_only_an_agency_admin_of_the_agency_connects(
    gql: GraphQLClient, settings: Settings, world: World, state: StateSystemServer
) -> None:
    use_state(gql, settings, state)
    given = {"siteId": str(world.site.id), "providerId": PROVIDER, "password": "x"}
    codes, _ = await _codes(gql, world.teacher, CONNECT, i=given)
    assert codes == ["FORBIDDEN"]
    codes, _ = await _codes(gql, world.foreign_admin, CONNECT, i=given)
    assert codes == ["NOT_FOUND"]
    codes, _ = await _codes(gql, world.teacher, DISCONNECT, i={"siteId": str(world.site.id)})
    assert codes == ["FORBIDDEN"]
    _, kiosk_token = await make.kiosk(world.site, paired_by=world.admin)
    codes, _ = await _codes(gql, kiosk_token, CONNECT, i=given)
    assert codes == ["FORBIDDEN"]
    assert not await SubsidyConnection.exists()


async def test_students_edit_matches_and_unmatches_audited(
    gql: GraphQLClient, connected: World
) -> None:
    world = connected
    kid = world.kids[0]
    given = {"siteId": str(world.site.id), "childId": str(kid.id), "stateId": "S-1"}
    for refused in (world.viewer, world.students_viewer, world.teacher):
        codes, _ = await _codes(gql, refused, MATCH, i=given)
        assert codes == ["FORBIDDEN"]
    codes, _ = await _codes(gql, world.foreign_admin, MATCH, i=given)
    assert codes == ["NOT_FOUND"]
    foreign = given | {"childId": str(world.foreign_kid.id)}
    codes, _ = await _codes(gql, world.admin, MATCH, i=foreign)
    assert codes == ["NOT_FOUND"]

    editor = await _students_editor(world)
    codes, data = await _codes(gql, editor, MATCH, i=given | {"stateId": "S-404"})
    assert data["matchSubsidyChild"]["errors"] == [{"code": "UNKNOWN_STATE_CHILD"}]
    codes, data = await _codes(gql, editor, MATCH, i=given)
    assert data["matchSubsidyChild"]["match"] == {
        "status": "MATCHED",
        "stateId": "S-1",
        "method": "MANUAL",
        "manual": True,
    }
    other = given | {"childId": str(world.kids[1].id)}
    codes, data = await _codes(gql, editor, MATCH, i=other)
    assert data["matchSubsidyChild"]["errors"] == [{"code": "STATE_ID_TAKEN"}]
    del given["stateId"]
    codes, data = await _codes(gql, editor, UNMATCH, i=given)
    assert data["unmatchSubsidyChild"]["match"]["status"] == MatchStatus.NOT_FOUND
    actions = await AuditEntry.filter(action__startswith="subsidy.").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["subsidy.connect", "subsidy.match", "subsidy.unmatch"]


async def test_attendance_view_reads_and_attendance_edit_resends(
    gql: GraphQLClient, connected: World
) -> None:
    world = connected
    site = str(world.site.id)
    read = {"s": site, "f": "2026-03-01", "t": "2026-03-04"}
    codes, data = await _codes(gql, world.viewer, DAYS, **read)
    assert codes == []
    assert data["subsidyDays"] == []
    codes, _ = await _codes(gql, world.students_viewer, DAYS, **read)
    assert codes == ["FORBIDDEN"]
    codes, _ = await _codes(gql, world.viewer, MATCHES, s=site)
    assert codes == ["FORBIDDEN"]
    codes, _ = await _codes(gql, world.students_viewer, MATCHES, s=site)
    assert codes == []
    codes, _ = await _codes(gql, world.foreign_admin, DAYS, **read)
    assert codes == ["NOT_FOUND"]
    codes, _ = await _codes(
        gql, world.foreign_admin, TRANSMISSIONS, s=site, c=str(world.kids[0].id), d="2026-03-04"
    )
    assert codes == ["NOT_FOUND"]
    codes, _ = await _codes(gql, world.other_site_teacher, DAYS, **read)
    assert codes == ["NOT_FOUND"]
    _, kiosk_token = await make.kiosk(world.site, paired_by=world.admin)
    codes, _ = await _codes(gql, kiosk_token, DAYS, **read)
    assert codes == ["FORBIDDEN"]

    resend = {"siteId": site, "fromDate": "2026-03-01", "toDate": "2026-03-04"}
    codes, _ = await _codes(gql, world.viewer, RESEND, i=resend)
    assert codes == ["FORBIDDEN"]
    codes, _ = await _codes(gql, world.foreign_admin, RESEND, i=resend)
    assert codes == ["NOT_FOUND"]
    codes, data = await _codes(gql, world.teacher, RESEND, i=resend)
    assert data["resendSubsidyDays"] == {"days": 0, "errors": []}
    too_long = resend | {"toDate": "2026-08-01"}
    codes, data = await _codes(gql, world.teacher, RESEND, i=too_long)
    assert data["resendSubsidyDays"]["errors"] == [{"code": "RANGE_TOO_LONG", "field": "toDate"}]


async def test_disconnect_stops_transfers(
    gql: GraphQLClient, connected: World, state: StateSystemServer, clock: FrozenClock
) -> None:
    world = connected
    _, data = await _codes(gql, world.admin, DISCONNECT, i={"siteId": str(world.site.id)})
    assert data["disconnectSubsidySystem"] == {"connection": {"connected": False}, "errors": []}
    stored = await SubsidyConnection.get(site_id=world.site.id)
    assert stored.password_sealed is None
    state.requests.clear()
    worker = exporter(state, clock)
    try:
        await worker.run_once()
    finally:
        await worker.aclose()
    assert state.requests == []
    _, data = await _codes(gql, world.admin, DISCONNECT, i={"siteId": str(world.site.id)})
    assert data["disconnectSubsidySystem"]["errors"] == [{"code": "NOT_CONNECTED"}]
