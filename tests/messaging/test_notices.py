"""Parents who are not connected hear about staff messages by email or SMS, in their
language, never with the text, at most once per conversation per 15 minutes; and a
classroom announcement costs the same statements for 40 families as for 5."""

from __future__ import annotations

from datetime import timedelta

from models.family_accounts import FamilyAccount, GuardianLink, LoginKind
from models.notifications import Notification
from models.org import Classroom
from models.people import ContactMethod, Language
from services import messages
from tests import factories as make
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.messaging.helpers import OPEN, Chat, family_conversation, ok, send
from tests.querycount import count_queries

SECRET_TEXT = "CANARY_PRIVATE Ava bit another child"


def _rendered(notice: Notification) -> messages.Rendered:
    return messages.render(
        notice.template,
        language=Language(notice.language),
        channel=ContactMethod(notice.channel),
        params=notice.params,
        secrets={},
    )


async def test_absent_guardians_get_one_notice_each_in_their_language_without_the_text(
    gql: GraphQLClient, chat: Chat
) -> None:
    conversation = await family_conversation(gql, chat)
    await send(gql, chat.staff_a, conversation, SECRET_TEXT)
    notices = {n.destination: n for n in await Notification.filter(template="new_message")}
    assert set(notices) == {chat.home.guardian_a.email, chat.home.guardian_b.phone}

    email = _rendered(notices[chat.home.guardian_a.email or ""])
    assert email.subject == "You have a new message from Main Street"
    assert chat.home.guardian_a.first_name in email.body
    sms = _rendered(notices[chat.home.guardian_b.phone or ""])
    assert sms.subject == ""
    assert sms.body == "Playroll: tiene un mensaje nuevo de Main Street. Abra la app para leerlo."
    for notice in notices.values():
        assert "CANARY_PRIVATE" not in str(notice.params)
        assert "CANARY_PRIVATE" not in _rendered(notice).body


async def test_at_most_one_notice_per_conversation_per_15_minutes(
    gql: GraphQLClient, chat: Chat, clock: FrozenClock
) -> None:
    conversation = await family_conversation(gql, chat)
    await send(gql, chat.staff_a, conversation, "one")
    clock.advance(timedelta(minutes=14, seconds=59))
    await send(gql, chat.staff_b, conversation, "two")
    assert await Notification.filter(template="new_message").count() == 2
    clock.advance(timedelta(seconds=1))
    await send(gql, chat.staff_a, conversation, "three")
    assert await Notification.filter(template="new_message").count() == 4
    # Messages from the family itself notify nobody.
    clock.advance(timedelta(hours=1))
    await send(gql, chat.parent_a, conversation, "thanks")
    assert await Notification.filter(template="new_message").count() == 4


async def test_a_classroom_announcement_costs_the_same_statements_for_40_families(
    gql: GraphQLClient, chat: Chat
) -> None:
    small = await make.classroom(chat.world.site, "Small")
    large = await make.classroom(chat.world.site, "Large")
    await _families(small, 5)
    await _families(large, 40)
    counts = []
    for room in (small, large):
        data = await ok(gql, OPEN, {"i": {"classroomId": str(room.id)}}, chat.staff_a)
        announcements = data["openConversation"]["conversation"]["id"]
        with count_queries() as statements:
            await send(gql, chat.staff_a, announcements, "Closed Monday for the holiday.")
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    # Every family of the large classroom was told (none is connected here).
    assert await Notification.filter(template="new_message").count() == 45


async def _families(room: Classroom, n: int) -> None:
    """``n`` families with a child in ``room`` and guardian A holding an account."""
    for _ in range(n):
        kid = await make.child(room)
        guardian = await make.adult(await kid.family)
        account = await FamilyAccount.create(
            login=f"{guardian.id}@example.test", login_kind=LoginKind.EMAIL, password_hash="x"
        )
        await GuardianLink.create(account=account, adult=guardian)
