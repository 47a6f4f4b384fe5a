"""Exactly-once and order-independence of offline sync, by property-based testing.

Hypothesis draws scenarios (two devices, two children, sign-ins, sign-outs and absences
at arbitrary times of the morning); each is sent once in time order, then, from an empty
record, shuffled, split into batches, interleaved across the devices and partly sent
twice. The record (events, sessions, open conflicts) must come out the same. Examples
are drawn first (derandomized, so every run sends the same ones) and then sent on the
session's event loop, as tests/security/test_generated.py does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from auth.principals import StaffPrincipal
from models.attendance import AttendanceEvent, AttendanceSession, EventKind
from models.audit import AuditEntry
from models.sync import SyncConflict
from services import attendance_sync
from services.sync_checks import SyncEntry
from tests import factories as make
from tests.attendance.sync_helpers import record_state
from tests.graphql import GraphQLClient
from tests.world import World

EXAMPLES = 40
# 07:00 in Chicago on the test clock's day; the clock stands at 10:30.
MORNING = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Planned:
    device: str
    child: int
    kind: EventKind
    minute: int
    number: int


@dataclass(frozen=True)
class Scenario:
    planned: list[Planned]
    # The shuffled order, where batches are cut, and which batches are sent twice.
    order: list[int]
    cuts: list[bool]
    resend: list[bool]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    size = draw(st.integers(min_value=1, max_value=12))
    kinds = st.sampled_from([EventKind.SIGN_IN, EventKind.SIGN_OUT, EventKind.ABSENT])
    planned = [
        Planned(
            device=draw(st.sampled_from(["tablet-a", "tablet-b"])),
            child=draw(st.integers(min_value=0, max_value=1)),
            kind=draw(kinds),
            minute=draw(st.integers(min_value=0, max_value=180)),
            number=n,
        )
        for n in range(size)
    ]
    order = draw(st.permutations(range(size)))
    cuts = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    resend = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    return Scenario(planned, list(order), cuts, resend)


def _draw() -> list[Scenario]:
    drawn: list[Scenario] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(scenarios())
    def collect(scenario: Scenario) -> None:
        drawn.append(scenario)

    collect()
    return drawn


def _entry(plan: Planned, world: World) -> SyncEntry:
    at = MORNING + timedelta(minutes=plan.minute)
    return SyncEntry(
        client_uuid=UUID(int=plan.number + 1),
        kind=plan.kind,
        child_id=UUID(str(world.kids[plan.child].id)),
        classroom_id=UUID(str(world.room.id)),
        occurred_at=at,
        captured_at=at + timedelta(minutes=1),
        reason="sick" if plan.kind is EventKind.ABSENT else "",
    )


def _batches(plans: list[Planned]) -> list[tuple[str, list[Planned]]]:
    """Consecutive plans of one device form a batch (a batch comes from one device)."""
    batches: list[tuple[str, list[Planned]]] = []
    for plan in plans:
        if batches and batches[-1][0] == plan.device:
            batches[-1][1].append(plan)
        else:
            batches.append((plan.device, [plan]))
    return batches


def _scrambled(scenario: Scenario) -> list[tuple[str, list[Planned]]]:
    """Shuffled, cut where the scenario says, interleaved, some batches sent twice."""
    shuffled = [scenario.planned[i] for i in scenario.order]
    cut: list[tuple[str, list[Planned]]] = []
    for index, plan in enumerate(shuffled):
        if cut and cut[-1][0] == plan.device and not scenario.cuts[index]:
            cut[-1][1].append(plan)
        else:
            cut.append((plan.device, [plan]))
    sent: list[tuple[str, list[Planned]]] = []
    for index, part in enumerate(cut):
        sent.append(part)
        if scenario.resend[index % len(scenario.resend)]:
            sent.append(part)
    return sent


async def _send(principal: StaffPrincipal, gql: GraphQLClient, world: World, batches: list) -> None:
    for device, plans in batches:
        await attendance_sync.sync(
            principal,
            attendance_sync.SyncBatch(device, [_entry(p, world) for p in plans]),
            bus=gql.bus,
            secret=gql.settings.secret,
            now=gql.clock.now(),
        )


async def _reset() -> None:
    await SyncConflict.all().delete()
    await AttendanceSession.all().delete()
    await AttendanceEvent.all().delete()
    await AuditEntry.all().delete()


async def test_any_order_any_split_any_repeat_gives_the_time_ordered_record(
    gql: GraphQLClient, world: World
) -> None:
    principal = await gql.principal_for(await make.token_for(world.teacher))
    assert isinstance(principal, StaffPrincipal)
    for scenario in _draw():
        in_time = sorted(scenario.planned, key=lambda p: (p.minute, p.number))
        await _send(principal, gql, world, _batches(in_time))
        expected = await record_state()
        await _reset()

        await _send(principal, gql, world, _scrambled(scenario))

        assert await record_state() == expected, scenario
        await _reset()
