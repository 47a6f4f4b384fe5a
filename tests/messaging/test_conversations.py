"""Family conversations and classroom announcements through the schema: who reads and
writes what, text rules, unread counts, receipts and history."""

from __future__ import annotations

from models.audit import AuditEntry
from models.messaging import Message
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.messaging.helpers import (
    HISTORY,
    LIST,
    OPEN,
    READ,
    SEND,
    Chat,
    family_conversation,
    ok,
    send,
    unread,
)


async def test_parent_and_staff_talk_in_one_conversation_per_family_and_site(
    gql: GraphQLClient, chat: Chat
) -> None:
    site = str(chat.world.site.id)
    by_staff = await family_conversation(gql, chat)
    # The parent opens the same one without naming the family (one family at the site).
    data = await ok(gql, OPEN, {"i": {"siteId": site}}, chat.parent_a)
    conversation = data["openConversation"]["conversation"]
    assert conversation["id"] == by_staff
    assert conversation["kind"] == "FAMILY"
    assert conversation["siteName"] == "Main Street"
    # And staff opening again gets it again.
    assert await family_conversation(gql, chat, chat.staff_b) == by_staff

    typed = "  Ava has a fever <b>38.5</b> & a cough.\nPick up at 3? "
    message = await send(gql, chat.parent_a, by_staff, typed)
    assert message["text"] == typed  # stored and returned as typed
    assert message["senderKind"] == "PARENT"
    assert message["senderName"] == chat.home.guardian_a.display_name
    assert message["fromYou"] is True
    reply = await send(gql, chat.staff_a, by_staff, "Yes, see you at 3.")
    assert reply["senderName"].startswith("Mia")
    assert int(reply["id"]) > int(message["id"])

    seen_by_parent = await ok(gql, HISTORY, {"id": by_staff}, chat.parent_a)
    texts = [
        (m["text"], m["fromYou"]) for m in seen_by_parent["conversation"]["messages"]["messages"]
    ]
    assert texts == [("Yes, see you at 3.", False), (typed, True)]  # newest first


async def test_text_must_be_one_to_4000_characters_and_nothing_is_stored_otherwise(
    gql: GraphQLClient, chat: Chat
) -> None:
    conversation = await family_conversation(gql, chat)
    for text, code in [
        ("", "EMPTY_MESSAGE"),
        (" \n\t", "EMPTY_MESSAGE"),
        ("x" * 4001, "MESSAGE_TOO_LONG"),
    ]:
        data = await ok(
            gql, SEND, {"i": {"conversationId": conversation, "text": text}}, chat.parent_a
        )
        assert data["sendMessage"]["message"] is None
        assert data["sendMessage"]["errors"][0]["code"] == code
        assert data["sendMessage"]["errors"][0]["field"] == "text"
    assert await Message.all().count() == 0
    assert await AuditEntry.filter(action="messaging.send").count() == 0
    longest = await send(gql, chat.parent_a, conversation, "é" * 4000)
    assert len(longest["text"]) == 4000


async def test_unread_counts_and_receipts_follow_reading(gql: GraphQLClient, chat: Chat) -> None:
    conversation = await family_conversation(gql, chat)
    first = await send(gql, chat.parent_a, conversation, "One")
    second = await send(gql, chat.parent_a, conversation, "Two")
    assert await unread(gql, chat.staff_a) == 2
    assert await unread(gql, chat.staff_b) == 2
    # Guardian B reads what A wrote as unread; A's own messages never count for A.
    assert await unread(gql, chat.parent_b) == 2
    assert await unread(gql, chat.parent_a) == 0
    listed = await ok(gql, LIST, {"site": str(chat.world.site.id)}, chat.staff_a)
    assert listed["conversations"][0]["unreadCount"] == 2
    assert listed["conversations"][0]["lastMessage"]["text"] == "Two"

    variables = {"i": {"conversationId": conversation, "throughMessageId": first["id"]}}
    data = await ok(gql, READ, variables, chat.staff_a)
    assert data["markConversationRead"]["receipt"]["throughMessageId"] == first["id"]
    assert await unread(gql, chat.staff_a) == 1
    await ok(gql, READ, {"i": {"conversationId": conversation}}, chat.staff_a)
    assert await unread(gql, chat.staff_a) == 0
    assert await unread(gql, chat.staff_b) == 2  # receipts are per participant

    # Staff reply: read by the sender, unread for both guardians.
    await send(gql, chat.staff_b, conversation, "Noted")
    assert await unread(gql, chat.staff_b) == 0
    assert await unread(gql, chat.parent_a) == 1
    receipts = (await ok(gql, HISTORY, {"id": conversation}, chat.parent_a))["conversation"][
        "receipts"
    ]
    by_name = {r["readerName"]: r["throughMessageId"] for r in receipts}
    assert by_name[chat.messenger.display_name] == second["id"]
    # A receipt never moves back.
    back = {"i": {"conversationId": conversation, "throughMessageId": first["id"]}}
    await ok(gql, READ, back, chat.staff_a)
    assert await unread(gql, chat.staff_a) == 0
    assert await AuditEntry.filter(action="messaging.read").count() == 2


async def test_history_pages_newest_first_by_cursor(gql: GraphQLClient, chat: Chat) -> None:
    conversation = await family_conversation(gql, chat)
    for n in range(5):
        await send(gql, chat.parent_a, conversation, f"m{n}")
    seen: list[str] = []
    after = None
    while True:
        page = (
            await ok(gql, HISTORY, {"id": conversation, "first": 2, "after": after}, chat.staff_a)
        )["conversation"]["messages"]
        seen += [m["text"] for m in page["messages"]]
        if not page["hasMore"]:
            break
        after = page["endCursor"]
    assert seen == ["m4", "m3", "m2", "m1", "m0"]
    bad = await gql.execute(HISTORY, {"id": conversation, "first": 500}, token=chat.staff_a)
    assert bad.codes == ["BAD_USER_INPUT"]


async def test_sends_and_reads_are_audited_without_the_text(gql: GraphQLClient, chat: Chat) -> None:
    conversation = await family_conversation(gql, chat)
    await send(gql, chat.parent_a, conversation, "CANARY_SECRET_TEXT about Ava")
    await ok(gql, READ, {"i": {"conversationId": conversation}}, chat.staff_a)
    entries = await AuditEntry.filter(action__startswith="messaging.")
    assert {e.action for e in entries} == {"messaging.send", "messaging.read"}
    assert all("CANARY_SECRET_TEXT" not in str(e.data) for e in entries)
    send_entry = next(e for e in entries if e.action == "messaging.send")
    assert send_entry.data["conversation"] == conversation
    assert send_entry.data["length"] == len("CANARY_SECRET_TEXT about Ava")


async def test_classroom_announcements_reach_the_classroom_families_read_only(
    gql: GraphQLClient, chat: Chat
) -> None:
    world = chat.world
    data = await ok(gql, OPEN, {"i": {"classroomId": str(world.room.id)}}, chat.staff_a)
    announcements = data["openConversation"]["conversation"]
    assert announcements["kind"] == "CLASSROOM"
    assert announcements["title"] == "Butterflies"
    await send(gql, chat.staff_a, announcements["id"], "Picture day on Friday!")
    assert await unread(gql, chat.parent_a) == 1
    listed = await ok(gql, LIST, {}, chat.parent_a)
    assert [c["title"] for c in listed["conversations"]] == ["Butterflies"]
    # Families read; they answer in their own conversation.
    reply = await ok(
        gql, SEND, {"i": {"conversationId": announcements["id"], "text": "ok"}}, chat.parent_a
    )
    assert reply["sendMessage"]["errors"][0]["code"] == "ANNOUNCEMENTS_ARE_READ_ONLY"
    # A family of another classroom does not see it.
    other = await make.child(world.other_room)
    other_guardian = await make.adult(await other.family)
    from tests.family.helpers import account_for, parent_token

    outsider = await parent_token(await account_for(other_guardian))
    assert (await ok(gql, LIST, {}, outsider))["conversations"] == []
    hidden = await gql.execute(HISTORY, {"id": announcements["id"]}, token=outsider)
    assert hidden.codes == ["NOT_FOUND"]
    # Families never see each other's reads of an announcement.
    await ok(gql, READ, {"i": {"conversationId": announcements["id"]}}, chat.parent_a)
    seen = await ok(gql, HISTORY, {"id": announcements["id"]}, chat.parent_b)
    kinds = {r["readerKind"] for r in seen["conversation"]["receipts"]}
    assert kinds == {"STAFF"}  # the sender's own receipt, never a family's
