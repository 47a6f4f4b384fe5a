"""Moments: a photo for one child's family or a whole classroom, and the parents' feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from models.files import StoredFile
from models.moments import Moment
from tests import factories as make
from tests.clock import FrozenClock
from tests.family.helpers import account_for, parent_token
from tests.files.helpers import CANARY_MAKE, PDF, path_of, photo, uploaded
from tests.graphql import GraphQLClient
from tests.messaging.helpers import Chat, ok

SHARE = """
mutation($i: ShareMomentInput!) {
  shareMoment(input: $i) {
    moment { id caption childName classroomName postedByName photo { contentType url } }
    errors { code field message }
  }
}
"""
FEED = """
query($first: Int, $after: String) {
  momentFeed(first: $first, after: $after) {
    id caption childName classroomName cursor photo { url width height }
  }
}
"""
SITE = """
query($site: ID!) { siteMoments(siteId: $site) { id caption childName classroomName } }
"""


async def _share(gql: GraphQLClient, token: str, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await ok(gql, SHARE, {"i": fields}, token))["shareMoment"]
    return result


async def _parent_of(child_index: int, chat: Chat) -> str:
    family = await chat.world.kids[child_index].family
    return await parent_token(await account_for(await make.adult(family)))


async def test_each_family_sees_its_own_moments_and_no_other_childs_name(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat, clock: FrozenClock
) -> None:
    world = chat.world
    room_photo = await uploaded(http, chat.staff_a, photo())
    shared = await _share(
        gql,
        chat.staff_a,
        classroomId=str(world.room.id),
        caption="Painting day",
        photoId=room_photo,
    )
    assert shared["errors"] == []
    assert (shared["moment"]["classroomName"], shared["moment"]["childName"]) == (
        "Butterflies",
        None,
    )
    clock.advance(timedelta(minutes=1))
    ava_photo = await uploaded(http, chat.staff_a, photo())
    await _share(gql, chat.staff_a, childId=str(world.kids[0].id), caption="", photoId=ava_photo)

    ava_feed = (await ok(gql, FEED, {}, chat.parent_a))["momentFeed"]
    assert [(m["caption"], m["childName"]) for m in ava_feed] == [
        ("", "Ava"),
        ("Painting day", None),
    ]
    ben_parent = await _parent_of(1, chat)
    ben_feed = (await ok(gql, FEED, {}, ben_parent))["momentFeed"]
    assert [m["caption"] for m in ben_feed] == ["Painting day"]
    for name in ("Ava", "Ben", "Cleo", "Lastname"):
        assert name not in str(ben_feed)
    # Paging: one at a time, older after the cursor.
    first = (await ok(gql, FEED, {"first": 1}, chat.parent_a))["momentFeed"]
    older = await ok(gql, FEED, {"first": 1, "after": first[0]["cursor"]}, chat.parent_a)
    assert [m["caption"] for m in older["momentFeed"]] == ["Painting day"]

    fetched = await http.get(path_of(ben_feed[0]["photo"]["url"]))
    assert fetched.status_code == 200
    assert CANARY_MAKE.encode() not in fetched.content
    staff_view = (await ok(gql, SITE, {"site": str(world.site.id)}, chat.staff_b))["siteMoments"]
    assert [m["childName"] for m in staff_view] == ["Ava", None]


async def test_bad_moments_store_nothing(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat
) -> None:
    world = chat.world
    picture = await uploaded(http, chat.staff_a, photo())
    pdf = await uploaded(http, chat.staff_a, PDF, content_type="application/pdf")
    room, kid = str(world.room.id), str(world.kids[0].id)
    cases = [
        ({"classroomId": room, "childId": kid, "photoId": picture}, "CHILD_OR_CLASSROOM"),
        ({"photoId": picture}, "CHILD_OR_CLASSROOM"),
        ({"classroomId": room, "photoId": pdf}, "UNKNOWN_ATTACHMENT"),
        ({"classroomId": room, "photoId": picture, "caption": "x" * 1001}, "CAPTION_TOO_LONG"),
    ]
    for fields, code in cases:
        result = await _share(gql, chat.staff_a, **fields)
        assert [e["code"] for e in result["errors"]] == [code], fields
    assert await Moment.all().count() == 0
    assert await StoredFile.filter(claimed_at__isnull=False).count() == 0


async def test_outsiders_neither_share_nor_see_moments(
    http: httpx.AsyncClient, gql: GraphQLClient, chat: Chat
) -> None:
    world = chat.world
    picture = await uploaded(http, chat.staff_a, photo())
    await _share(
        gql, chat.staff_a, classroomId=str(world.room.id), caption="CANARY", photoId=picture
    )
    _, kiosk = await make.kiosk(world.site, paired_by=world.admin)
    foreign_parent = await parent_token(
        await account_for(await make.adult(await world.foreign_kid.family))
    )
    outsiders = {
        "other site": (chat.other_site, "NOT_FOUND"),
        "other agency": (chat.foreign, "NOT_FOUND"),
        "no Messaging": (chat.no_messaging, "FORBIDDEN"),
        "kiosk": (kiosk, "FORBIDDEN"),
    }
    for who, (token, code) in outsiders.items():
        shared = await gql.execute(
            SHARE,
            {"i": {"classroomId": str(world.room.id), "photoId": picture}},
            token=token,
        )
        assert shared.codes == [code], who
        listed = await gql.execute(SITE, {"site": str(world.site.id)}, token=token)
        assert listed.codes == [code], who
        assert "CANARY" not in str(listed.data), who
    assert (await ok(gql, FEED, {}, foreign_parent))["momentFeed"] == []
    parent_share = await gql.execute(
        SHARE, {"i": {"classroomId": str(world.room.id), "photoId": picture}}, token=chat.parent_a
    )
    assert parent_share.codes == ["FORBIDDEN"]  # sharing moments is for staff
    assert await Moment.all().count() == 1
