"""A parent's message across two server instances on Redis: both staff tablets hear it,
the reply reaches the phone, presence spans instances, and receipts and counts follow."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from models.notifications import Notification
from realtime import channels
from server.settings import Settings
from tests.clock import FrozenClock
from tests.conftest import LiveServer, serving
from tests.messaging.helpers import LIVE, READ, Chat
from tests.messaging.test_live import call, open_family, say, unread
from tests.redis_server import RedisServer, require_redis_server
from tests.wsclient import WSClient

require_redis_server()


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture
async def two_instances(
    settings: Settings, redis: RedisServer, db: None, clock: FrozenClock
) -> AsyncIterator[tuple[LiveServer, LiveServer]]:
    on_redis = settings.model_copy(update={"broadcast_url": redis.url})
    async with serving(on_redis, clock) as first, serving(on_redis, clock) as second:
        yield first, second


async def test_a_parents_message_reaches_staff_tablets_on_two_instances(
    two_instances: tuple[LiveServer, LiveServer], chat: Chat
) -> None:
    one, two = two_instances
    site = str(chat.world.site.id)
    conversation = await open_family(one, chat, chat.staff_a)
    tablet_one = await WSClient.connect(one.ws_url, chat.staff_a)
    tablet_two = await WSClient.connect(two.ws_url, chat.staff_b)
    phone = await WSClient.connect(two.ws_url, chat.parent_a)
    subs = [
        await tablet_one.subscribe(LIVE, {"site": site}),
        await tablet_two.subscribe(LIVE, {"site": site}),
        await phone.subscribe(LIVE, {"site": site}),
    ]
    await one.subscribed(channels.site_messages(site))
    await two.subscribed(channels.site_messages(site), channels.parent_messages(chat.account_a.id))

    sent = await say(one, chat.parent_a, conversation, "Running 10 minutes late")
    for tablet, sub in [(tablet_one, subs[0]), (tablet_two, subs[1])]:
        got = (await tablet.next(sub))["messageReceived"]
        assert (got["id"], got["text"]) == (sent["id"], "Running 10 minutes late")
    assert (await phone.next(subs[2]))["messageReceived"]["id"] == sent["id"]

    # The reply goes in on instance one and reaches the phone on instance two.
    reply = await say(one, chat.staff_a, conversation, "No problem")
    assert (await phone.next(subs[2]))["messageReceived"]["text"] == "No problem"
    assert (await tablet_two.next(subs[1]))["messageReceived"]["id"] == reply["id"]
    assert (await tablet_one.next(subs[0]))["messageReceived"]["id"] == reply["id"]
    # Guardian A listens on instance two, so only guardian B (nowhere) is notified.
    notices = await Notification.filter(template="new_message")
    assert [n.destination for n in notices] == [chat.home.guardian_b.phone]

    # Reading on instance two reaches the tablet on instance one; counts follow.
    assert await unread(one, chat.parent_a) == 1
    await call(two, chat.parent_a, READ, {"i": {"conversationId": conversation}})
    receipt = (await tablet_one.next(subs[0]))["messageReceived"]
    assert (receipt["__typename"], receipt["throughMessageId"]) == ("ReadReceipt", reply["id"])
    assert await unread(one, chat.parent_a) == 0
    assert await unread(two, chat.staff_b) == 1  # Cole has not opened it yet
    for client in (tablet_one, tablet_two, phone):
        await client.close()
