"""Shared steps of the subsidy tests: GraphQL documents, connecting, the exporter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from integrations.subsidy import HttpStateSystem
from jobs.subsidy import SubsidyExporter
from models.org import StaffUser
from models.subsidy import SubsidyConnection
from server.settings import Settings
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient
from tests.subsidy.conftest import PASSWORD, PROVIDER
from tests.subsidy.state_server import StateSystemServer
from tests.world import World

CONNECT = """
mutation($i: ConnectSubsidySystemInput!) {
  connectSubsidySystem(input: $i) {
    connection { siteId providerId connected }
    errors { code field message }
  }
}
"""
DISCONNECT = """
mutation($i: DisconnectSubsidySystemInput!) {
  disconnectSubsidySystem(input: $i) { connection { connected } errors { code } }
}
"""
MATCHES = """
query($s: ID!) {
  subsidyMatches(siteId: $s) {
    child { id firstName } status stateId method manual
    candidates { stateId firstName middleName lastName dateOfBirth }
  }
}
"""
MATCH = """
mutation($i: MatchSubsidyChildInput!) {
  matchSubsidyChild(input: $i) { match { status stateId method manual } errors { code } }
}
"""
UNMATCH = """
mutation($i: UnmatchSubsidyChildInput!) {
  unmatchSubsidyChild(input: $i) { match { status stateId manual } errors { code } }
}
"""
DAYS = """
query($s: ID!, $f: Date!, $t: Date!, $c: ID, $st: SubsidyTransferStatus) {
  subsidyDays(siteId: $s, fromDate: $f, toDate: $t, childId: $c, status: $st) {
    child { firstName } date status reason stateMessage stateChildId whatToDo
    lastAttempt { cause outcome answerCode answerMessage contentHash }
  }
}
"""
COUNTS = """
query($s: ID!, $f: Date!, $t: Date!) {
  subsidyCounts(siteId: $s, fromDate: $f, toDate: $t) { transferred outOfSync error }
}
"""
TRANSMISSIONS = """
query($s: ID!, $c: ID!, $d: Date!) {
  subsidyTransmissions(siteId: $s, childId: $c, date: $d) {
    cause outcome contentHash sent answerCode answerText idempotencyKey
  }
}
"""
RESEND = """
mutation($i: ResendSubsidyDaysInput!) {
  resendSubsidyDays(input: $i) { days errors { code field } }
}
"""
CORRECT = """
mutation($i: CorrectAttendanceTimeInput!) {
  correctAttendanceTime(input: $i) { correction { id } errors { code } }
}
"""


def use_state(gql: GraphQLClient, settings: Settings, state: StateSystemServer) -> None:
    """The GraphQL client's settings point at the fake state system."""
    gql.settings = settings.model_copy(update={"subsidy_backend": "http", "subsidy_url": state.url})


def exporter(state: StateSystemServer, clock: FrozenClock) -> SubsidyExporter:
    system = HttpStateSystem(state.url, backoff_base=0.001, attempts=2, timeout=2.0)
    return SubsidyExporter(system=system, secret=TEST_KEYRING, clock=clock)


async def run(gql: GraphQLClient, user: StaffUser, query: str, **variables: Any) -> Any:
    result = await gql.execute(query, variables, token=await make.token_for(user))
    assert result.errors == [], result.errors
    assert result.data is not None
    return result.data


async def connect(
    gql: GraphQLClient, admin: StaffUser, site_id: str, password: str = PASSWORD
) -> dict[str, Any]:
    data = await run(
        gql, admin, CONNECT, i={"siteId": site_id, "providerId": PROVIDER, "password": password}
    )
    payload: dict[str, Any] = data["connectSubsidySystem"]
    return payload


async def connected_without_state(world: World, at: datetime) -> None:
    """The main site marked connected, for views that only read what the export stored
    (no state server is reached: the sealed password is never opened)."""
    await SubsidyConnection.create(
        agency=world.agency,
        site=world.site,
        provider_id="PRV",
        password_sealed="sealed elsewhere",
        connected_at=at,
    )
