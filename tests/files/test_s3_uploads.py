"""The upload flow end to end with the files in a real S3-compatible bucket."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from models.files import StoredFile
from server.app import create_app
from server.settings import Settings
from tests.clock import FrozenClock
from tests.files.helpers import CANARY_MAKE, HISTORY_FILES, SEND_FILES, path_of, photo, uploaded
from tests.files.s3_server import ACCESS_KEY, REGION, SECRET_KEY, S3Server
from tests.graphql import GraphQLClient
from tests.messaging.helpers import Chat, family_conversation, ok


@pytest.fixture
async def s3_http(
    settings: Settings, clock: FrozenClock, s3: S3Server
) -> AsyncIterator[httpx.AsyncClient]:
    bucket = f"playroll-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(bucket)
    in_s3 = settings.model_copy(
        update={
            "file_storage": "s3",
            "s3_bucket": bucket,
            "s3_endpoint_url": s3.endpoint_url,
            "s3_region": REGION,
            "s3_access_key_id": ACCESS_KEY,
            "s3_secret_access_key": SecretStr(SECRET_KEY),
        }
    )
    app = create_app(in_s3, clock=clock, manage_database=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_a_photo_goes_to_the_bucket_without_exif_and_comes_back_by_link(
    s3_http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat
) -> None:
    conversation = await family_conversation(gql, chat)
    file_id = await uploaded(s3_http, chat.parent_a, photo(), name="park.jpg")
    row = await StoredFile.get(id=file_id)
    assert row.storage_key.startswith("files/")
    variables = {"i": {"conversationId": conversation, "text": "", "attachmentIds": [file_id]}}
    assert (await ok(gql, SEND_FILES, variables, chat.parent_a))["sendMessage"]["errors"] == []
    read = await ok(gql, HISTORY_FILES, {"id": conversation}, chat.staff_a)
    url = read["conversation"]["messages"]["messages"][0]["attachments"][0]["url"]
    fetched = await s3_http.get(path_of(url))
    assert fetched.status_code == 200
    assert fetched.content.startswith(b"\xff\xd8\xff")
    assert CANARY_MAKE.encode() not in fetched.content
