"""Uploading photos and PDFs, sending them with a message, and fetching them by link."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from PIL import Image

from models.audit import AuditEntry
from models.files import StoredFile
from models.messaging import Message
from realtime import channels
from server.settings import Settings
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import LiveServer
from tests.family.helpers import account_for, parent_token
from tests.files.helpers import (
    CANARY_MAKE,
    HISTORY_FILES,
    PDF,
    SEND_FILES,
    path_of,
    photo,
    upload,
    uploaded,
)
from tests.graphql import GraphQLClient
from tests.messaging.helpers import HISTORY, OPEN, Chat, family_conversation, ok
from tests.realtime.test_subscriptions import graphql
from tests.wsclient import WSClient

LIVE_FILES = """
subscription { messageReceived {
  ... on Message { id attachments { id name contentType url } } } }
"""


def _stored(settings: Settings) -> list[Path]:
    return [p for p in Path(settings.files_dir).rglob("*") if p.is_file()]


async def test_a_parents_photo_loses_its_location_and_reaches_staff_by_a_short_link(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat, clock: FrozenClock
) -> None:
    conversation = await family_conversation(gql, chat)
    original = photo()
    assert CANARY_MAKE.encode() in original
    response = await upload(http, chat.parent_a, original, name="../../IMG_2231.JPG")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["contentType"], body["name"]) == ("image/jpeg", "IMG_2231.jpg")
    # Turned upright from the EXIF orientation, then written without any EXIF.
    assert (body["width"], body["height"]) == (48, 64)

    variables = {"i": {"conversationId": conversation, "text": "", "attachmentIds": [body["id"]]}}
    sent = (await ok(gql, SEND_FILES, variables, chat.parent_a))["sendMessage"]
    assert sent["errors"] == []
    assert [a["id"] for a in sent["message"]["attachments"]] == [body["id"]]

    read = await ok(gql, HISTORY_FILES, {"id": conversation}, chat.staff_a)
    (message,) = read["conversation"]["messages"]["messages"]
    (attachment,) = message["attachments"]
    assert attachment["url"].startswith("http://localhost:8000/files/")
    fetched = await http.get(path_of(attachment["url"]))
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "image/jpeg"
    assert fetched.headers["x-content-type-options"] == "nosniff"
    assert CANARY_MAKE.encode() not in fetched.content
    with Image.open(io.BytesIO(fetched.content)) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (48, 64)

    # A tampered or expired link serves nothing.
    assert (await http.get(path_of(attachment["url"])[:-4] + "0000")).status_code == 404
    clock.advance(timedelta(minutes=6))
    assert (await http.get(path_of(attachment["url"]))).status_code == 404
    # Audited by type and size, the message by its length: never contents.
    entries = await AuditEntry.filter(action__in=["files.upload", "messaging.send"])
    assert {e.action for e in entries} == {"files.upload", "messaging.send"}
    assert all("IMG_2231" not in str(e.data) for e in entries)


async def test_a_pdf_is_served_as_a_download_and_png_keeps_its_type(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat
) -> None:
    conversation = await family_conversation(gql, chat)
    pdf = await uploaded(http, chat.staff_a, PDF, content_type="application/pdf", name="Form.pdf")
    png = await uploaded(http, chat.staff_a, photo("PNG"), content_type="image/png", name="a.png")
    variables = {
        "i": {"conversationId": conversation, "text": "Forms", "attachmentIds": [pdf, png]}
    }
    sent = (await ok(gql, SEND_FILES, variables, chat.staff_a))["sendMessage"]["message"]
    assert [a["contentType"] for a in sent["attachments"]] == ["application/pdf", "image/png"]
    got = await http.get(path_of(sent["attachments"][0]["url"]))
    assert got.content == PDF
    assert got.headers["content-disposition"] == "attachment; filename*=UTF-8''Form.pdf"
    png_bytes = (await http.get(path_of(sent["attachments"][1]["url"]))).content
    assert CANARY_MAKE.encode() not in png_bytes
    assert png_bytes.startswith(b"\x89PNG")


async def test_bad_uploads_are_refused_with_a_code_and_store_nothing(
    http: httpx.AsyncClient, chat: Chat, settings: Settings
) -> None:
    before = _stored(settings)
    fifty_mib = b"\xff\xd8\xff" + bytes(50 * 1024 * 1024)
    cases = {
        "empty": (b"", "image/jpeg", 400, "EMPTY_FILE"),
        "50 MiB": (fifty_mib, "image/jpeg", 413, "FILE_TOO_LARGE"),
        "a script named .jpg": (b"#!/bin/sh\nrm -rf /", "image/jpeg", 415, "FILE_TYPE_NOT_ALLOWED"),
        "html": (b"<html><script>alert(1)</script>", "text/html", 415, "FILE_TYPE_NOT_ALLOWED"),
        "a PDF claimed as a photo": (PDF, "image/png", 415, "FILE_TYPE_MISMATCH"),
        "a JPEG start, then junk": (
            b"\xff\xd8\xff\xe0" + bytes(200),
            "image/jpeg",
            400,
            "BROKEN_IMAGE",
        ),
    }
    for case, (data, claimed, status, code) in cases.items():
        response = await upload(http, chat.parent_a, data, content_type=claimed)
        assert response.status_code == status, case
        assert response.json()["errors"][0]["code"] == code, case

    async def streamed() -> object:
        for _ in range(11):  # 11 MiB without a Content-Length
            yield bytes(1024 * 1024)

    response = await http.post(
        "/files",
        content=streamed(),  # type: ignore[arg-type]
        headers={"authorization": f"Bearer {chat.parent_a}", "content-type": "image/jpeg"},
    )
    assert response.status_code == 413
    assert await StoredFile.all().count() == 0
    assert _stored(settings) == before


async def test_only_staff_with_messaging_and_family_accounts_upload(
    http: httpx.AsyncClient, chat: Chat
) -> None:
    _, kiosk = await make.kiosk(chat.world.site, paired_by=chat.world.admin)
    assert (await upload(http, None, photo())).status_code == 401
    assert (await upload(http, "not-a-token", photo())).status_code == 401
    for token in (kiosk, chat.no_messaging):
        response = await upload(http, token, photo())
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "FORBIDDEN"
    assert await StoredFile.all().count() == 0


async def test_a_message_carries_only_its_senders_unsent_uploads(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat
) -> None:
    conversation = await family_conversation(gql, chat)
    theirs = await uploaded(http, chat.parent_b, photo())
    mine = await uploaded(http, chat.parent_a, photo())

    async def send(ids: list[str], token: str = chat.parent_a) -> dict[str, object]:
        variables = {"i": {"conversationId": conversation, "text": "x", "attachmentIds": ids}}
        result: dict[str, object] = (await ok(gql, SEND_FILES, variables, token))["sendMessage"]
        return result

    refused = await send([mine, theirs])
    assert refused["message"] is None
    assert refused["errors"] == [
        {
            "code": "UNKNOWN_ATTACHMENT",
            "field": "attachmentIds",
            "message": "A file is unknown or was already sent: upload it again.",
        }
    ]
    assert await Message.all().count() == 0
    assert await StoredFile.filter(message_id__isnull=False).count() == 0
    assert (await send([mine]))["errors"] == []
    again = await send([mine])
    assert [e["code"] for e in again["errors"]] == ["UNKNOWN_ATTACHMENT"]  # type: ignore[attr-defined]
    many = await send([str(uuid.uuid4()) for _ in range(11)])
    assert many["message"] is None
    assert await Message.all().count() == 1


async def test_outsiders_never_see_attachments(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat
) -> None:
    conversation = await family_conversation(gql, chat)
    file_id = await uploaded(http, chat.parent_a, photo())
    variables = {"i": {"conversationId": conversation, "text": "", "attachmentIds": [file_id]}}
    await ok(gql, SEND_FILES, variables, chat.parent_a)
    other_kid = await make.child(chat.world.room)
    other_parent = await parent_token(await account_for(await make.adult(await other_kid.family)))
    _, kiosk = await make.kiosk(chat.world.site, paired_by=chat.world.admin)
    outsiders = {
        "other family": (other_parent, "NOT_FOUND"),
        "other site": (chat.other_site, "NOT_FOUND"),
        "other agency": (chat.foreign, "NOT_FOUND"),
        "no Messaging": (chat.no_messaging, "FORBIDDEN"),
        "kiosk": (kiosk, "FORBIDDEN"),
    }
    for who, (token, code) in outsiders.items():
        read = await gql.execute(HISTORY_FILES, {"id": conversation}, token=token)
        assert read.codes == [code], who
        assert file_id not in str(read.data), who
    # Knowing the ID is not enough: only a signed link serves the file.
    for path in (f"/files/{file_id}", f"/files/{file_id}?expires=9999999999&signature=00"):
        assert (await http.get(path)).status_code == 404
    assert (await gql.execute(HISTORY, {"id": conversation}, token=chat.staff_a)).errors == []


async def test_a_staff_photo_reaches_the_parents_socket_with_its_link(
    live: LiveServer, chat: Chat
) -> None:
    site, family = str(chat.world.site.id), str(chat.home.family.id)
    opened = await graphql(live, chat.staff_a, OPEN, {"i": {"siteId": site, "familyId": family}})
    conversation = opened["data"]["openConversation"]["conversation"]["id"]
    phone = await WSClient.connect(live.ws_url, chat.parent_a)
    on_phone = await phone.subscribe(LIVE_FILES, {})
    await live.subscribed(channels.parent_messages(chat.account_a.id))
    base = live.http_url.removesuffix("/graphql")
    async with httpx.AsyncClient(base_url=base) as client:
        file_id = await uploaded(client, chat.staff_a, photo(), name="painting.jpg")
        variables = {"i": {"conversationId": conversation, "text": "", "attachmentIds": [file_id]}}
        sent = await graphql(live, chat.staff_a, SEND_FILES, variables)
        assert sent["data"]["sendMessage"]["errors"] == []
        heard = (await phone.next(on_phone))["messageReceived"]
        (attachment,) = heard["attachments"]
        assert (attachment["id"], attachment["name"]) == (file_id, "painting.jpg")
        fetched = await client.get(path_of(attachment["url"]))
    assert fetched.status_code == 200
    assert fetched.content.startswith(b"\xff\xd8\xff")
    await phone.close()


async def test_uploads_are_capped_per_person_per_hour(
    http: httpx.AsyncClient, chat: Chat, clock: FrozenClock
) -> None:
    now = clock.now()
    await StoredFile.bulk_create(
        [
            StoredFile(
                owner_kind="PARENT",
                owner_id=chat.account_a.id,
                content_type="image/jpeg",
                name="old.jpg",
                size=1,
                storage_key=f"files/test/{i}",
                created_at=now - timedelta(minutes=30),
            )
            for i in range(200)
        ]
    )
    refused = await upload(http, chat.parent_a, photo())
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "TOO_MANY_UPLOADS"
    assert (await upload(http, chat.parent_b, photo())).status_code == 201  # another person
    clock.advance(timedelta(minutes=31))
    assert (await upload(http, chat.parent_a, photo())).status_code == 201
