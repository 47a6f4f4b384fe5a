"""Parents who are not connected hear of a document posted or a moment shared for their
family: in their language, never the title or caption, at most once per 15 minutes."""

from __future__ import annotations

from datetime import timedelta

import httpx

from models.notifications import Notification
from models.people import ContactMethod, Language
from realtime import channels
from services import messages
from tests.clock import FrozenClock
from tests.files.helpers import PDF, photo, uploaded
from tests.graphql import GraphQLClient
from tests.messaging.helpers import Chat, ok

ADD = """
mutation($i: AddFamilyDocumentInput!) {
  addFamilyDocument(input: $i) { document { id } errors { code } }
}
"""
SHARE = """
mutation($i: ShareMomentInput!) { shareMoment(input: $i) { moment { id } errors { code } } }
"""
SECRET = "CANARY-private-title"


async def _post(http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat, token: str) -> None:
    file = await uploaded(http, token, PDF, content_type="application/pdf")
    fields = {"title": SECRET, "fileId": file}
    if token != chat.parent_a:
        fields["familyId"] = str(chat.home.family.id)
    assert (await ok(gql, ADD, {"i": fields}, token))["addFamilyDocument"]["errors"] == []


async def _share(http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat, **to: str) -> None:
    picture = await uploaded(http, chat.staff_a, photo())
    fields = {**to, "caption": SECRET, "photoId": picture}
    assert (await ok(gql, SHARE, {"i": fields}, chat.staff_a))["shareMoment"]["errors"] == []


def _text(notice: Notification) -> str:
    rendered = messages.render(
        notice.template,
        language=Language(notice.language),
        channel=ContactMethod(notice.channel),
        params=notice.params,
        secrets={},
    )
    return rendered.subject + rendered.body


async def test_absent_parents_hear_of_documents_and_moments_once_per_quiet_period(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat, clock: FrozenClock
) -> None:
    await _post(http, gql, chat, chat.staff_a)
    notices = {n.destination: n for n in await Notification.filter(template="new_document")}
    assert set(notices) == {chat.home.guardian_a.email, chat.home.guardian_b.phone}
    english = _text(notices[chat.home.guardian_a.email or ""])
    spanish = _text(notices[chat.home.guardian_b.phone or ""])
    assert "posted a document for your family" in english
    assert spanish.startswith("Playroll: hay un documento nuevo de ")
    assert all(SECRET not in _text(n) and SECRET not in str(n.params) for n in notices.values())

    # Within 15 minutes: another document or a moment for the family tells nobody again.
    clock.advance(timedelta(minutes=14, seconds=59))
    await _post(http, gql, chat, chat.staff_b)
    await _share(http, gql, chat, childId=str(chat.world.kids[0].id))
    assert await Notification.filter(template__in=["new_document", "new_moment"]).count() == 2

    # After it, a classroom moment reaches the family again; a connected parent hears it live.
    clock.advance(timedelta(seconds=1))
    gql.bus.joined(channels.parent_messages(chat.account_a.id))
    await _share(http, gql, chat, classroomId=str(chat.world.room.id))
    moments = await Notification.filter(template="new_moment")
    assert [n.destination for n in moments] == [chat.home.guardian_b.phone]
    assert "una foto nueva" in _text(moments[0])

    # What a parent submits tells no parent.
    clock.advance(timedelta(hours=1))
    await _post(http, gql, chat, chat.parent_a)
    assert await Notification.filter(template="new_document").count() == 2
