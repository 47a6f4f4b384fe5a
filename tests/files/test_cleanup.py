"""The file job: uploads never used within a day lose their bytes and their row; files of
deleted documents lose their bytes and keep a row for the tombstone."""

from __future__ import annotations

from datetime import timedelta

import httpx

from integrations.file_storage import LocalFileStorage
from jobs.file_cleanup import FileCleaner
from models.files import StoredFile
from server.settings import Settings
from tests.clock import FrozenClock
from tests.family.helpers import parent_token
from tests.files.helpers import PDF, photo, uploaded
from tests.graphql import GraphQLClient
from tests.messaging.helpers import Chat, ok

ADD = """
mutation($i: AddFamilyDocumentInput!) {
  addFamilyDocument(input: $i) { document { id } errors { code } }
}
"""
DELETE = "mutation($id: ID!) { deleteFamilyDocument(id: $id) { document { id } } }"


async def test_unused_uploads_go_after_a_day_used_ones_stay(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat, clock: FrozenClock, settings: Settings
) -> None:
    storage = LocalFileStorage(settings.files_dir)
    cleaner = FileCleaner(clock=clock, storage=storage)
    forgotten = await uploaded(http, chat.parent_a, photo())
    used = await uploaded(http, chat.parent_a, PDF, content_type="application/pdf")
    await ok(gql, ADD, {"i": {"title": "Note", "fileId": used}}, chat.parent_a)
    clock.advance(timedelta(hours=12))
    parent = await parent_token(chat.account_a)  # a fresh sign-in: tokens expire
    recent = await uploaded(http, parent, photo())
    keys = {str(r.id): r.storage_key for r in await StoredFile.all()}

    clock.advance(timedelta(hours=11, minutes=59))
    assert await cleaner.run_once() == 0  # not a day old yet
    clock.advance(timedelta(minutes=1))
    assert await cleaner.run_once() == 1
    assert await storage.get(keys[forgotten]) is None
    assert not await StoredFile.exists(id=forgotten)
    assert await storage.get(keys[used]) == PDF
    assert await storage.get(keys[recent]) is not None
    parent = await parent_token(chat.account_a)
    # Too late to use it now: the upload is unknown.
    late = await ok(gql, ADD, {"i": {"title": "Late", "fileId": forgotten}}, parent)
    assert [e["code"] for e in late["addFamilyDocument"]["errors"]] == ["UNKNOWN_ATTACHMENT"]

    added = await ok(gql, ADD, {"i": {"title": "x", "fileId": recent}}, parent)
    await ok(gql, DELETE, {"id": added["addFamilyDocument"]["document"]["id"]}, parent)
    assert await cleaner.run_once() == 1
    assert await storage.get(keys[recent]) is None
    kept = await StoredFile.get(id=recent)
    assert kept.purged_at == clock.now()
    assert await cleaner.run_once() == 0  # nothing taken twice
