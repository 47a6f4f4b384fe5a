"""Deleting a message, a document or a moment: a tombstone for every reader, the file
no longer served, audited without the text, and nobody else may do it."""

from __future__ import annotations

from typing import Any

import httpx

from models.audit import AuditEntry
from models.files import StoredFile
from realtime import channels
from realtime.events import Event, MessagePosted
from tests import factories as make
from tests.family.helpers import account_for, parent_token
from tests.files.helpers import PDF, SEND_FILES, path_of, photo, uploaded
from tests.graphql import GraphQLClient
from tests.messaging.helpers import Chat, family_conversation, ok, unread

DELETE_MESSAGE = """
mutation($id: ID!) { deleteMessage(id: $id) { message { id text deletedAt attachments { id } } } }
"""
DELETE_DOCUMENT = """
mutation($id: ID!) {
  deleteFamilyDocument(id: $id) { document { id title deletedAt file { url } } }
}
"""
DELETE_MOMENT = """
mutation($id: ID!) { deleteMoment(id: $id) { moment { id caption deletedAt photo { url } } } }
"""
HISTORY = """
query($id: ID!) {
  conversation(id: $id) {
    messages(first: 10) { messages { id text deletedAt attachments { url } } }
  }
}
"""
ADD = """
mutation($i: AddFamilyDocumentInput!) {
  addFamilyDocument(input: $i) { document { id file { url } } errors { code } }
}
"""
DOCUMENTS = "query { familyDocuments { id title deletedAt file { url } } }"
SHARE = """
mutation($i: ShareMomentInput!) {
  shareMoment(input: $i) { moment { id photo { url } } errors { code } }
}
"""
FEED = "query { momentFeed { id caption deletedAt photo { url } } }"
SECRET = "CANARY-secret-words"


async def _outsiders(chat: Chat) -> dict[str, str]:
    """Everyone who must get NOT_FOUND or FORBIDDEN, and never the content."""
    world = chat.world
    _, kiosk = await make.kiosk(world.site, paired_by=world.admin)
    foreign_parent = await parent_token(
        await account_for(await make.adult(await world.foreign_kid.family))
    )
    other_family = await parent_token(
        await account_for(await make.adult(await world.kids[1].family))
    )
    return {
        "colleague": chat.staff_b,
        "other site": chat.other_site,
        "other agency": chat.foreign,
        "no Messaging": chat.no_messaging,
        "kiosk": kiosk,
        "other family": other_family,
        "foreign parent": foreign_parent,
    }


async def _refused(gql: GraphQLClient, query: str, target: str, tokens: dict[str, str]) -> None:
    for who, token in tokens.items():
        result = await gql.execute(query, {"id": target}, token=token)
        assert result.codes in (["NOT_FOUND"], ["FORBIDDEN"]), (who, result.errors)
        assert result.data is None or SECRET not in str(result.data), who


async def test_staff_delete_their_message_readers_see_a_tombstone(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat
) -> None:
    conversation = await family_conversation(gql, chat)
    picture = await uploaded(http, chat.staff_a, photo())
    sent = await ok(
        gql,
        SEND_FILES,
        {"i": {"conversationId": conversation, "text": SECRET, "attachmentIds": [picture]}},
        chat.staff_a,
    )
    message = sent["sendMessage"]["message"]
    link = path_of(message["attachments"][0]["url"])
    await _refused(gql, DELETE_MESSAGE, message["id"], await _outsiders(chat))
    # The parent cannot delete a staff message either: deleting messages is for staff.
    refused = await gql.execute(DELETE_MESSAGE, {"id": message["id"]}, token=chat.parent_a)
    assert refused.codes == ["FORBIDDEN"]
    assert (await http.get(link)).status_code == 200

    assert await unread(gql, chat.parent_a) == 1

    heard: list[tuple[str, Event]] = []
    gql.bus.on_publish.append(lambda channel, event: heard.append((channel, event)))
    deleted = (await ok(gql, DELETE_MESSAGE, {"id": message["id"]}, chat.staff_a))["deleteMessage"]
    # Nothing is left to read: a deleted message no longer counts as unread.
    assert await unread(gql, chat.parent_a) == 0
    # Connected tablets and phones get the tombstone live, under the same id.
    assert {c for c, _ in heard} == {
        channels.site_messages(chat.world.site.id),
        channels.parent_messages(chat.account_a.id),
        channels.parent_messages(chat.account_b.id),
    }
    for _, event in heard:
        assert isinstance(event, MessagePosted)
        assert (event.message_id, event.body, event.attachments) == (message["id"], "", ())
        assert event.deleted_at is not None
        assert SECRET not in event.to_json()
    assert deleted["message"]["text"] == ""
    assert deleted["message"]["deletedAt"]
    assert deleted["message"]["attachments"] == []
    for token in (chat.parent_a, chat.staff_b):
        listed = (await ok(gql, HISTORY, {"id": conversation}, token))["conversation"]
        [tombstone] = listed["messages"]["messages"]
        assert tombstone == {
            "id": message["id"],
            "text": "",
            "deletedAt": deleted["message"]["deletedAt"],
            "attachments": [],
        }
    assert (await http.get(link)).status_code == 404
    again = await ok(gql, DELETE_MESSAGE, {"id": message["id"]}, chat.staff_a)
    assert again["deleteMessage"]["message"]["deletedAt"] == deleted["message"]["deletedAt"]
    [entry] = await AuditEntry.filter(action="messaging.delete")
    assert SECRET not in str(entry.data)
    # A deleted message's file cannot be sent again.
    assert await StoredFile.filter(id=picture, removed_at__isnull=False).count() == 1


async def test_parents_delete_submitted_documents_staff_their_posted_ones(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat
) -> None:
    family = str(chat.home.family.id)
    note = await uploaded(http, chat.parent_a, PDF, content_type="application/pdf")
    submitted = await ok(gql, ADD, {"i": {"title": SECRET, "fileId": note}}, chat.parent_a)
    document = submitted["addFamilyDocument"]["document"]
    form = await uploaded(http, chat.staff_a, PDF, content_type="application/pdf")
    posted = await ok(
        gql, ADD, {"i": {"familyId": family, "title": "Form", "fileId": form}}, chat.staff_a
    )
    form_id = posted["addFamilyDocument"]["document"]["id"]

    outsiders = await _outsiders(chat)
    # Staff do not delete what a parent submitted; parents do not delete what staff posted.
    await _refused(gql, DELETE_DOCUMENT, document["id"], {**outsiders, "staff": chat.staff_a})
    await _refused(gql, DELETE_DOCUMENT, form_id, {**outsiders, "parent": chat.parent_a})

    # The other guardian of the same family did not submit it either.
    refused = await gql.execute(DELETE_DOCUMENT, {"id": document["id"]}, token=chat.parent_b)
    assert refused.codes == ["NOT_FOUND"]
    gone = await ok(gql, DELETE_DOCUMENT, {"id": document["id"]}, chat.parent_a)
    assert gone["deleteFamilyDocument"]["document"]["file"] is None
    await ok(gql, DELETE_DOCUMENT, {"id": form_id}, chat.staff_a)
    listed = (await ok(gql, DOCUMENTS, {}, chat.parent_b))["familyDocuments"]
    assert [(d["title"], d["file"]) for d in listed] == [("", None), ("", None)]
    assert all(d["deletedAt"] for d in listed)
    assert (await http.get(path_of(document["file"]["url"]))).status_code == 404
    entries = await AuditEntry.filter(action="documents.delete")
    assert len(entries) == 2
    assert all(SECRET not in str(e.data) for e in entries)


async def test_staff_delete_a_moment_they_shared(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat
) -> None:
    picture = await uploaded(http, chat.staff_a, photo())
    shared = await ok(
        gql,
        SHARE,
        {"i": {"childId": str(chat.world.kids[0].id), "caption": SECRET, "photoId": picture}},
        chat.staff_a,
    )
    moment: dict[str, Any] = shared["shareMoment"]["moment"]
    await _refused(
        gql, DELETE_MOMENT, moment["id"], {**await _outsiders(chat), "parent": chat.parent_a}
    )

    deleted = (await ok(gql, DELETE_MOMENT, {"id": moment["id"]}, chat.staff_a))["deleteMoment"]
    assert deleted["moment"]["caption"] == ""
    assert deleted["moment"]["photo"] is None
    [tombstone] = (await ok(gql, FEED, {}, chat.parent_a))["momentFeed"]
    assert tombstone["caption"] == ""
    assert tombstone["photo"] is None
    assert tombstone["deletedAt"]
    assert (await http.get(path_of(moment["photo"]["url"]))).status_code == 404
    [entry] = await AuditEntry.filter(action="moments.delete")
    assert SECRET not in str(entry.data)
