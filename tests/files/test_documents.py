"""Documents: staff post to a family, parents read them and submit their own back."""

from __future__ import annotations

from typing import Any

import httpx

from models.audit import AuditEntry
from models.documents import FamilyDocument
from models.files import StoredFile
from tests import factories as make
from tests.family.helpers import account_for, parent_token
from tests.files.helpers import PDF, path_of, photo, uploaded
from tests.graphql import GraphQLClient
from tests.messaging.helpers import Chat, ok

ADD = """
mutation($i: AddFamilyDocumentInput!) {
  addFamilyDocument(input: $i) {
    document { id familyId direction title postedByName file { name contentType url } }
    errors { code field message }
  }
}
"""
LIST = """
query($family: ID, $direction: DocumentDirection) {
  familyDocuments(familyId: $family, direction: $direction) {
    id direction title postedByName file { name url }
  }
}
"""


async def _add(gql: GraphQLClient, token: str, **fields: str) -> dict[str, Any]:
    result: dict[str, Any] = (await ok(gql, ADD, {"i": fields}, token))["addFamilyDocument"]
    return result


async def test_staff_post_parents_read_and_submit_back_staff_see_submissions(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat
) -> None:
    family = str(chat.home.family.id)
    handbook = await uploaded(
        http, chat.staff_a, PDF, content_type="application/pdf", name="Handbook 2027.pdf"
    )
    posted = await _add(gql, chat.staff_a, familyId=family, title="Handbook", fileId=handbook)
    assert posted["errors"] == []
    assert posted["document"]["direction"] == "TO_FAMILY"

    mine = (await ok(gql, LIST, {}, chat.parent_b))["familyDocuments"]
    assert [(d["title"], d["file"]["name"]) for d in mine] == [("Handbook", "Handbook 2027.pdf")]
    assert (await http.get(path_of(mine[0]["file"]["url"]))).content == PDF

    note = await uploaded(http, chat.parent_a, photo(), name="doctor.jpg")
    sent = await _add(gql, chat.parent_a, title="Doctor's note, Monday", fileId=note)
    assert sent["errors"] == []
    assert sent["document"]["familyId"] == family
    assert sent["document"]["postedByName"] == chat.home.guardian_a.display_name

    submitted = await ok(gql, LIST, {"family": family, "direction": "FROM_FAMILY"}, chat.staff_b)
    assert [d["title"] for d in submitted["familyDocuments"]] == ["Doctor's note, Monday"]
    everything = await ok(gql, LIST, {"family": family}, chat.staff_b)
    assert len(everything["familyDocuments"]) == 2
    entries = await AuditEntry.filter(action__startswith="documents.")
    assert sorted(e.action for e in entries) == ["documents.post", "documents.submit"]
    assert all("Doctor" not in str(e.data) and "Handbook" not in str(e.data) for e in entries)


async def test_bad_documents_store_nothing_and_use_no_file(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat
) -> None:
    family = str(chat.home.family.id)
    theirs = await uploaded(http, chat.parent_a, photo())
    mine = await uploaded(http, chat.staff_a, PDF, content_type="application/pdf")
    cases = [
        ({"title": "  ", "fileId": mine}, "TITLE_REQUIRED"),
        ({"title": "x" * 201, "fileId": mine}, "TITLE_TOO_LONG"),
        ({"title": "A parent's upload", "fileId": theirs}, "UNKNOWN_ATTACHMENT"),
    ]
    for fields, code in cases:
        result = await _add(gql, chat.staff_a, familyId=family, **fields)
        assert [e["code"] for e in result["errors"]] == [code]
    assert await FamilyDocument.all().count() == 0
    assert await StoredFile.filter(claimed_at__isnull=False).count() == 0
    assert (await _add(gql, chat.staff_a, familyId=family, title="Ok", fileId=mine))["document"]
    again = await _add(gql, chat.staff_a, familyId=family, title="Twice", fileId=mine)
    assert [e["code"] for e in again["errors"]] == ["UNKNOWN_ATTACHMENT"]


async def test_outsiders_neither_read_nor_post_a_familys_documents(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat
) -> None:
    family = str(chat.home.family.id)
    file_id = await uploaded(http, chat.staff_a, PDF, content_type="application/pdf")
    await _add(gql, chat.staff_a, familyId=family, title="CANARY_TITLE", fileId=file_id)
    other_kid = await make.child(chat.world.room)
    other_account = await account_for(await make.adult(await other_kid.family))
    other_parent = await parent_token(other_account)
    _, kiosk = await make.kiosk(chat.world.site, paired_by=chat.world.admin)
    outsiders = {
        "other family": (other_parent, "NOT_FOUND"),
        "other site": (chat.other_site, "NOT_FOUND"),
        "other agency": (chat.foreign, "NOT_FOUND"),
        "no Messaging": (chat.no_messaging, "FORBIDDEN"),
        "kiosk": (kiosk, "FORBIDDEN"),
    }
    for who, (token, code) in outsiders.items():
        listed = await gql.execute(LIST, {"family": family}, token=token)
        assert "CANARY_TITLE" not in str(listed.data), who
        if code == "FORBIDDEN" or who != "other family":
            assert listed.codes == [code], who
        else:
            assert listed.data == {"familyDocuments": []}, who
        posted = await gql.execute(
            ADD, {"i": {"familyId": family, "title": "x", "fileId": file_id}}, token=token
        )
        assert posted.codes == [code], who
    own = await ok(gql, LIST, {}, other_parent)
    assert own == {"familyDocuments": []}
    assert await FamilyDocument.all().count() == 1
