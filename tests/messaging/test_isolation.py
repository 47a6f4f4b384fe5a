"""Nobody outside a conversation reaches it: another family, another site, another
agency, staff without Messaging, a kiosk. Refused or NOT_FOUND, never content."""

from __future__ import annotations

from models.messaging import Message
from tests import factories as make
from tests.family.helpers import account_for, parent_token
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


async def test_outsiders_get_not_found_or_forbidden_and_never_content(
    gql: GraphQLClient, chat: Chat
) -> None:
    world = chat.world
    conversation = await family_conversation(gql, chat)
    await send(gql, chat.parent_a, conversation, "CANARY_CONTENT")
    other_kid = await make.child(world.room)
    other_parent = await parent_token(await account_for(await make.adult(await other_kid.family)))
    _, kiosk = await make.kiosk(world.site, paired_by=world.admin)
    outsiders = {
        "other family": (other_parent, "NOT_FOUND"),
        "other site": (chat.other_site, "NOT_FOUND"),
        "other agency": (chat.foreign, "NOT_FOUND"),
        "no Messaging": (chat.no_messaging, "FORBIDDEN"),
        "kiosk": (kiosk, "FORBIDDEN"),
    }
    for who, (token, code) in outsiders.items():
        read = await gql.execute(HISTORY, {"id": conversation}, token=token)
        assert read.codes == [code], who
        assert "CANARY_CONTENT" not in str(read.data), who
        wrote = await gql.execute(
            SEND, {"i": {"conversationId": conversation, "text": "hi"}}, token=token
        )
        assert wrote.codes == [code], who
        marked = await gql.execute(READ, {"i": {"conversationId": conversation}}, token=token)
        assert marked.codes == [code], who
        listed = await gql.execute(LIST, {}, token=token)
        assert "CANARY_CONTENT" not in str(listed.data), who
        if code == "NOT_FOUND":
            assert listed.data == {"conversations": []}, who
    assert await Message.all().count() == 1


async def test_nobody_opens_a_conversation_for_a_family_or_site_they_do_not_reach(
    gql: GraphQLClient, chat: Chat
) -> None:
    world = chat.world
    family = str(chat.home.family.id)
    for token, variables in [
        (chat.other_site, {"siteId": str(world.site.id), "familyId": family}),
        (chat.other_site, {"siteId": str(world.other_site.id), "familyId": family}),
        (chat.foreign, {"siteId": str(world.site.id), "familyId": family}),
        (chat.foreign, {"classroomId": str(world.room.id)}),
        # A parent names a family that is not theirs, or a site where they have no child.
        (
            chat.parent_a,
            {"siteId": str(world.site.id), "familyId": str(world.foreign_kid.family_id)},
        ),
        (chat.parent_a, {"siteId": str(world.other_site.id)}),
        (chat.parent_a, {"siteId": str(world.foreign_site.id)}),
    ]:
        result = await gql.execute(OPEN, {"i": variables}, token=token)
        assert result.codes == ["NOT_FOUND"], variables
    # Parents cannot open announcements; they are told what to give instead.
    data = await ok(gql, OPEN, {"i": {"classroomId": str(world.room.id)}}, chat.parent_a)
    assert data["openConversation"]["errors"][0]["code"] == "FAMILY_OR_CLASSROOM"
    refused = await gql.execute(
        OPEN, {"i": {"siteId": str(world.site.id)}}, token=chat.no_messaging
    )
    assert refused.codes == ["FORBIDDEN"]


async def test_staff_without_messaging_count_no_unread_messages(
    gql: GraphQLClient, chat: Chat
) -> None:
    conversation = await family_conversation(gql, chat)
    await send(gql, chat.parent_a, conversation, "hello")
    assert await unread(gql, chat.staff_a) == 1
    assert await unread(gql, chat.no_messaging) == 0
    assert await unread(gql, chat.other_site) == 0
    assert await unread(gql, chat.foreign) == 0
