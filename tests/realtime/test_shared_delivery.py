"""Shared delivery (server/fanout.py) against per-socket delivery: the same frames.

Two servers on one database: one shares each distinct subscription's execution between
its sockets, the other executes every socket's subscription on its own. Every role
subscribes to every subscription on both (twice on the sharing server, with two
sessions of the same person, so they share); the same events are published on both
buses; every socket must receive exactly what the per-socket server sends, the
refusals included.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from models.org import ModuleAccess
from realtime import channels
from realtime.bus import EventBus
from realtime.events import RESYNC_MESSAGE, Event, KioskAlert, MessagePosted, MessagesRead
from server.settings import Settings
from services import org, rosters
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import LiveServer, serving
from tests.family.helpers import account_for, household, parent_token
from tests.messaging.helpers import LIVE
from tests.realtime.test_socket_lifecycle import change
from tests.waiting import eventually
from tests.world import World
from tests.wsclient import SubscriptionError, WSClient

ROSTER = """
subscription($room: ID!) {
  rosterChanged(classroomId: $room) {
    child { id firstName lastName } status signedInAt signedOutAt onRoster
    events { kind at actor actorKind source }
  }
}
"""
COUNTS = """
subscription($site: ID!, $room: ID) {
  liveCounts(siteId: $site, classroomId: $room) { enrolled signedIn signedOut absent incomplete }
}
"""
ALERTS = "subscription($site: ID!) { kioskAlerts(siteId: $site) { kioskId kioskName reason } }"

# Each subscription's last frame in the event sequence below.
FINAL = {
    "rosterChanged": lambda row: row["status"] == "SIGNED_OUT",
    "liveCounts": lambda counts: counts["signedOut"] == 1,
    "messageReceived": lambda item: item["__typename"] == "ReadReceipt",
    "kioskAlerts": lambda alert: alert["reason"] == "UNLOCKED",
}


@dataclass
class Role:
    name: str
    tokens: list[str]  # two sessions for the sharing server, one for the reference
    allowed: set[str]  # the subscriptions it may open


@pytest.fixture
async def servers(
    settings: Settings, db: None, clock: FrozenClock
) -> AsyncIterator[tuple[LiveServer, LiveServer]]:
    alone = settings.model_copy(update={"shared_subscriptions": False})
    async with serving(settings, clock) as shared, serving(alone, clock) as reference:
        yield shared, reference


async def roles(world: World) -> tuple[list[Role], Any]:
    home = await household(world)
    account = await account_for(home.guardian_a)
    talk = await make.role(world.agency, messaging=True, attendance=ModuleAccess.VIEW)
    messenger = await make.staff(world.agency, role=talk, sites=[world.site], first_name="Mia")
    _, kiosk = await make.kiosk(world.site, paired_by=world.admin)
    every = {"rosterChanged", "liveCounts", "messageReceived", "kioskAlerts"}
    attendance = {"rosterChanged", "liveCounts", "kioskAlerts"}

    async def staff(user: Any) -> list[str]:
        return [await make.token_for(user) for _ in range(3)]

    table = [
        Role("admin", await staff(world.admin), every),
        Role("teacher", await staff(world.teacher), attendance),
        Role("viewer", await staff(world.viewer), attendance),
        Role("messenger", await staff(messenger), every),
        Role("students viewer", await staff(world.students_viewer), set()),
        Role("other site", await staff(world.other_site_teacher), set()),
        Role("foreign agency", await staff(world.foreign_admin), set()),
        Role("parent", [await parent_token(account) for _ in range(3)], {"messageReceived"}),
        Role("kiosk", [kiosk] * 3, set()),
    ]
    return table, (account, messenger)


def events(
    world: World, account: Any, messenger: Any, clock: FrozenClock
) -> list[tuple[str, Event | str]]:
    """The sequence both servers hear, ending with each subscription's final frame."""
    room, site = channels.classroom_roster(world.room.id), channels.site_counts(world.site.id)
    today = org.local_date(world.site, clock.now()).isoformat()
    attendance = [replace(change(world, n, padding=10), local_date=today) for n in range(2)]
    signed_out = replace(
        change(world, 2, padding=10),
        local_date=today,
        status="SIGNED_OUT",
        signed_out_at="2026-11-23T15:00:00+00:00",
    )
    ids = {k: str(uuid.uuid4()) for k in ("kiosk", "conversation", "message")}
    common = {"agency_id": str(world.agency.id), "site_id": str(world.site.id)}
    posted = MessagePosted(
        **common,
        conversation_id=ids["conversation"],
        conversation_kind="FAMILY",
        family_id=None,
        classroom_id=None,
        message_id=ids["message"],
        sender_kind="STAFF",
        sender_id=str(messenger.id),
        sender_name="Mia",
        body="Jacket found.",
        sent_at="2026-11-23T14:05:00+00:00",
    )
    read = MessagesRead(
        **common,
        conversation_id=ids["conversation"],
        reader_kind="PARENT",
        reader_id=str(account.id),
        reader_name="Ana",
        through_message_id=ids["message"],
        read_at="2026-11-23T14:06:00+00:00",
    )

    def alert(reason: str) -> KioskAlert:
        at = "2026-11-23T14:07:00+00:00"
        return KioskAlert(
            **common, kiosk_id=ids["kiosk"], kiosk_name="Front", reason=reason, at=at, until=None
        )

    messages = [channels.site_messages(world.site.id), channels.parent_messages(account.id)]
    alerts = channels.site_alerts(world.site.id)
    return [
        *[(c, e) for e in attendance for c in (room, site)],
        (room, RESYNC_MESSAGE),
        (site, RESYNC_MESSAGE),
        *[(c, posted) for c in messages],
        (alerts, alert("PAD_LOCKED")),
        (room, signed_out),
        (site, signed_out),
        *[(c, read) for c in messages],
        (alerts, alert("UNLOCKED")),
    ]


async def publish(server: LiveServer, channel: str, event: Event | str) -> None:
    if isinstance(event, str):  # what a backend sends after it reconnected
        await server.app.state.broadcast.publish(channel, event)
    else:
        bus: EventBus = server.app.state.bus
        await bus.publish([(channel, event)])


async def frames(client: WSClient, sub: str, field: str) -> list[Any]:
    """Everything one subscription receives, up to its final frame or its refusal."""
    got: list[Any] = []
    while True:
        try:
            item = (await client.next(sub, timeout=10))[field]
        except TimeoutError as late:
            raise AssertionError(f"{field}: only {got}") from late
        except SubscriptionError as refused:
            return [*got, {"refused": refused.codes}]
        got.append(item)
        if FINAL[field](item):
            return got


async def test_every_socket_receives_what_it_would_receive_alone(
    servers: tuple[LiveServer, LiveServer], world: World, clock: FrozenClock
) -> None:
    shared, reference = servers
    table, (account, messenger) = await roles(world)
    site, room = str(world.site.id), str(world.room.id)
    documents = {
        "rosterChanged": (ROSTER, {"room": room}),
        "liveCounts": (COUNTS, {"site": site, "room": room}),
        "messageReceived": (LIVE, {"site": site}),
        "kioskAlerts": (ALERTS, {"site": site}),
    }
    sockets: list[tuple[Role, str, WSClient, dict[str, str]]] = []
    for role in table:
        for server, token in ((shared, role.tokens[0]), (shared, role.tokens[1])):
            sockets.append((role, "shared", *await _open(server, token, documents)))
        sockets.append((role, "alone", *await _open(reference, role.tokens[2], documents)))

    await _all_listening(shared, reference, table, world, account)
    for channel, event in events(world, account, messenger, clock):
        for server in servers:
            await publish(server, channel, event)

    received: dict[tuple[str, str], list[list[Any]]] = {}
    for role, _, client, subs in sockets:
        for field, sub in subs.items():
            try:
                got = await frames(client, sub, field)
            except AssertionError as e:
                raise AssertionError(f"{role.name} {_}: {e}") from None
            received.setdefault((role.name, field), []).append(got)
    for (name, field), (first, second, alone) in received.items():
        assert first == second == alone, (name, field)
        allowed = field in next(r for r in table if r.name == name).allowed
        assert ("refused" not in alone[-1]) == allowed, (name, field, alone)
    # Identical subscriptions of one person shared one execution per event.
    assert shared.app.state.fanout.group_count() > 0
    for _, _, client, _ in sockets:
        await client.close()


async def _open(
    server: LiveServer, token: str, documents: dict[str, tuple[str, dict[str, str]]]
) -> tuple[WSClient, dict[str, str]]:
    client = await WSClient.connect(server.ws_url, token)
    subs = {field: await client.subscribe(q, v) for field, (q, v) in documents.items()}
    return client, subs


async def _all_listening(
    shared: LiveServer, reference: LiveServer, table: list[Role], world: World, account: Any
) -> None:
    """Wait until every allowed subscription listens: twice per role on the sharing server."""
    by_field = {
        "rosterChanged": [channels.classroom_roster(world.room.id)],
        "liveCounts": [channels.site_counts(world.site.id)],
        "kioskAlerts": [channels.site_alerts(world.site.id)],
    }
    expected: dict[str, int] = {}
    for role in table:
        for field in role.allowed:
            names = by_field.get(field) or [
                channels.parent_messages(account.id)
                if role.name == "parent"
                else channels.site_messages(world.site.id)
            ]
            for name in names:
                expected[name] = expected.get(name, 0) + 1
    shared_bus: EventBus = shared.app.state.bus
    reference_bus: EventBus = reference.app.state.bus
    await eventually(
        lambda: all(
            shared_bus.subscriber_count(c) == 2 * n and reference_bus.subscriber_count(c) == n
            for c, n in expected.items()
        ),
        within=15,
    )


async def test_sockets_in_one_counts_delivery_keep_one_tally_between_them(
    servers: tuple[LiveServer, LiveServer], world: World
) -> None:
    """Only the group applies changes. Each socket that kept its site's tally as well cost
    a thousand dashboards about 30 KiB apiece (bench part 5)."""
    shared, _ = servers

    def tallies() -> int:
        gc.collect()
        return sum(isinstance(o, rosters.Tally) for o in gc.get_objects())

    before = tallies()
    token = await make.token_for(world.viewer)
    document = {"liveCounts": (COUNTS, {"site": str(world.site.id)})}
    clients = []
    for _ in range(4):
        client, subs = await _open(shared, token, document)
        assert (await client.next(subs["liveCounts"]))["liveCounts"]["enrolled"] == 3
        clients.append(client)
    bus: EventBus = shared.app.state.bus
    await eventually(lambda: bus.subscriber_count(channels.site_counts(world.site.id)) == 4)
    assert tallies() - before == 1
    for client in clients:
        await client.close()
