"""Messages and receipts over real sockets: across two server instances on Redis, and the
rules that guard the feed."""

from __future__ import annotations

from typing import Any

import pytest

from models.notifications import Notification
from realtime import channels
from tests import factories as make
from tests.conftest import LiveServer
from tests.family.helpers import account_for, parent_token
from tests.messaging.helpers import LIVE, OPEN, READ, SEND, UNREAD, Chat
from tests.realtime.test_subscriptions import graphql
from tests.wsclient import SubscriptionError, WSClient


async def call(live: LiveServer, token: str, query: str, variables: dict[str, Any]) -> Any:
    result = await graphql(live, token, query, variables)
    assert "errors" not in result, result
    return result["data"]


async def open_family(live: LiveServer, chat: Chat, token: str) -> str:
    site = str(chat.world.site.id)
    data = await call(
        live, token, OPEN, {"i": {"siteId": site, "familyId": str(chat.home.family.id)}}
    )
    return str(data["openConversation"]["conversation"]["id"])


async def say(live: LiveServer, token: str, conversation: str, text: str) -> dict[str, Any]:
    data = await call(live, token, SEND, {"i": {"conversationId": conversation, "text": text}})
    assert data["sendMessage"]["errors"] == [], data
    message: dict[str, Any] = data["sendMessage"]["message"]
    return message


async def unread(live: LiveServer, token: str) -> int:
    return int((await call(live, token, UNREAD, {}))["viewer"]["unreadMessages"])


async def test_staff_reply_reaches_the_parents_socket_and_receipts_follow(
    live: LiveServer, chat: Chat
) -> None:
    site = str(chat.world.site.id)
    conversation = await open_family(live, chat, chat.staff_a)
    phone = await WSClient.connect(live.ws_url, chat.parent_a)
    tablet = await WSClient.connect(live.ws_url, chat.staff_a)
    on_phone = await phone.subscribe(LIVE, {})
    on_tablet = await tablet.subscribe(LIVE, {"site": site})
    await live.subscribed(channels.parent_messages(chat.account_a.id), channels.site_messages(site))

    sent = await say(live, chat.parent_a, conversation, "Is Ava's jacket there?")
    got = (await tablet.next(on_tablet))["messageReceived"]
    assert got["__typename"] == "Message"
    assert (got["id"], got["text"], got["senderKind"], got["fromYou"]) == (
        sent["id"],
        "Is Ava's jacket there?",
        "PARENT",
        False,
    )
    # The parent's own socket hears their message too, marked as theirs.
    mine = (await phone.next(on_phone))["messageReceived"]
    assert (mine["id"], mine["fromYou"]) == (sent["id"], True)
    assert await unread(live, chat.staff_a) == 1

    reply = await say(live, chat.staff_a, conversation, "Yes, on the hook.")
    heard = (await phone.next(on_phone))["messageReceived"]
    assert (heard["id"], heard["text"], heard["senderKind"]) == (
        reply["id"],
        "Yes, on the hook.",
        "STAFF",
    )
    assert heard["conversationId"] == conversation
    assert await unread(live, chat.parent_a) == 1
    # Replying read the parent's message: the staff receipt reaches the parent.
    assert await unread(live, chat.staff_a) == 0
    assert (await tablet.next(on_tablet))["messageReceived"]["id"] == reply["id"]

    await call(live, chat.parent_a, READ, {"i": {"conversationId": conversation}})
    receipt = (await tablet.next(on_tablet))["messageReceived"]
    assert receipt["__typename"] == "ReadReceipt"
    assert (receipt["readerKind"], receipt["throughMessageId"]) == ("PARENT", reply["id"])
    assert receipt["readerName"] == chat.home.guardian_a.display_name
    own = (await phone.next(on_phone))["messageReceived"]
    assert (own["__typename"], own["isYou"]) == ("ReadReceipt", True)
    assert await unread(live, chat.parent_a) == 0

    # A connected parent gets no email; guardian B, not connected, gets one notice.
    notices = await Notification.filter(template="new_message")
    assert [n.destination for n in notices] == [chat.home.guardian_b.phone]
    await phone.close()
    await tablet.close()


async def test_the_feed_is_refused_or_empty_for_everyone_else(live: LiveServer, chat: Chat) -> None:
    world = chat.world
    site = str(world.site.id)
    _, kiosk_token = await make.kiosk(world.site, paired_by=world.admin)
    for token, variables, code in [
        (chat.no_messaging, {"site": site}, "FORBIDDEN"),
        (kiosk_token, {"site": site}, "FORBIDDEN"),
        (chat.other_site, {"site": site}, "NOT_FOUND"),
        (chat.foreign, {"site": site}, "NOT_FOUND"),
        (chat.staff_a, {}, "BAD_USER_INPUT"),
    ]:
        client = await WSClient.connect(live.ws_url, token)
        sub = await client.subscribe(LIVE, variables)
        with pytest.raises(SubscriptionError) as refused:
            await client.next(sub)
        assert refused.value.codes == [code], (variables, refused.value.errors)
        await client.close()

    # Another family's parent at the same site hears only their own conversation.
    other_kid = await make.child(world.room)
    other_guardian = await make.adult(await other_kid.family)
    other_account = await account_for(other_guardian)
    outsider = await parent_token(other_account)
    phone = await WSClient.connect(live.ws_url, outsider)
    on_phone = await phone.subscribe(LIVE, {})
    await live.subscribed(channels.parent_messages(other_account.id))
    ours = await open_family(live, chat, chat.staff_a)
    await say(live, chat.staff_a, ours, "CANARY_OTHER_FAMILY")
    theirs = await call(live, outsider, OPEN, {"i": {"siteId": site}})
    their_id = theirs["openConversation"]["conversation"]["id"]
    await say(live, chat.staff_a, their_id, "For you")
    first = (await phone.next(on_phone))["messageReceived"]
    assert first["text"] == "For you"
    await phone.close()


ASSIGN = """
mutation($i: AssignStaffRoleInput!) { assignStaffRole(input: $i) { ok } }
"""


async def test_losing_messaging_closes_the_feed(live: LiveServer, chat: Chat) -> None:
    site = str(chat.world.site.id)
    tablet = await WSClient.connect(live.ws_url, chat.staff_a)
    await tablet.subscribe(LIVE, {"site": site})
    await live.subscribed(channels.site_messages(site))
    no_messaging = await make.role(chat.world.agency)
    admin = await make.token_for(chat.world.admin)
    variables = {"i": {"staffId": str(chat.messenger.id), "roleId": str(no_messaging.id)}}
    assert (await call(live, admin, ASSIGN, variables))["assignStaffRole"]["ok"] is True
    _, code = await tablet.drain_until_closed(within=5)
    assert code == 4403
    # Reconnecting with the same token now gets FORBIDDEN.
    again = await WSClient.connect(live.ws_url, chat.staff_a)
    sub = await again.subscribe(LIVE, {"site": site})
    with pytest.raises(SubscriptionError) as refused:
        await again.next(sub)
    assert refused.value.codes == ["FORBIDDEN"]
    await again.close()
