"""Agency admins create, rename and archive sites and classrooms; nobody else can."""

from __future__ import annotations

from typing import Any

import pytest

from models.audit import AuditEntry
from models.org import Classroom, Site
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.sites.helpers import codes, payload, refused_tokens
from tests.world import World

SITE = "site { id name timezone address archivedAt }"
ROOM = "classroom { id name siteId archivedAt }"
ERR = "errors { field code message }"
CREATE_SITE = f"mutation($i: CreateSiteInput!) {{ createSite(input: $i) {{ {SITE} {ERR} }} }}"
UPDATE_SITE = f"mutation($i: UpdateSiteInput!) {{ updateSite(input: $i) {{ {SITE} {ERR} }} }}"
ARCHIVE_SITE = f"mutation($i: ArchiveSiteInput!) {{ archiveSite(input: $i) {{ {SITE} {ERR} }} }}"
CREATE_ROOM = (
    f"mutation($i: CreateClassroomInput!) {{ createClassroom(input: $i) {{ {ROOM} {ERR} }} }}"
)
RENAME_ROOM = (
    f"mutation($i: RenameClassroomInput!) {{ renameClassroom(input: $i) {{ {ROOM} {ERR} }} }}"
)
ARCHIVE_ROOM = (
    f"mutation($i: ArchiveClassroomInput!) {{ archiveClassroom(input: $i) {{ {ROOM} {ERR} }} }}"
)


async def test_an_agency_admin_creates_a_site_and_a_classroom(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.admin)
    created = payload(
        await gql.execute(
            CREATE_SITE,
            {"i": {"name": "  Oak   Hill ", "timezone": "America/Denver", "address": "1 Oak St"}},
            token=token,
        ),
        "createSite",
    )
    assert created["errors"] == []
    site = created["site"]
    assert (site["name"], site["timezone"], site["address"], site["archivedAt"]) == (
        "Oak Hill",
        "America/Denver",
        "1 Oak St",
        None,
    )
    room = payload(
        await gql.execute(CREATE_ROOM, {"i": {"siteId": site["id"], "name": "Owls"}}, token=token),
        "createClassroom",
    )["classroom"]
    assert (room["name"], room["siteId"]) == ("Owls", site["id"])
    # The new site is the admin's at once: listed with its classroom.
    listed = await gql.execute("{ sites { name classrooms { name } } }", token=token)
    assert {"name": "Oak Hill", "classrooms": [{"name": "Owls"}]} in listed.data["sites"]  # type: ignore[index]

    [site_entry] = await AuditEntry.filter(action="site.create")
    assert site_entry.target_id == site["id"]
    assert site_entry.data == {
        "before": None,
        "after": {"name": "Oak Hill", "timezone": "America/Denver", "address": "1 Oak St"},
    }
    [room_entry] = await AuditEntry.filter(action="classroom.create")
    assert room_entry.data == {"before": None, "after": {"name": "Owls", "site_id": site["id"]}}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "X", "timezone": "Mars/Olympus"}, [("timezone", "INVALID_TIMEZONE")]),
        ({"name": "X", "timezone": "america/chicago"}, [("timezone", "INVALID_TIMEZONE")]),
        ({"name": "   ", "timezone": "UTC"}, [("name", "INVALID_NAME")]),
        ({"name": "x" * 201, "timezone": "UTC"}, [("name", "INVALID_NAME")]),
        ({"name": "main street", "timezone": "UTC"}, [("name", "DUPLICATE_NAME")]),
        ({"name": "X", "timezone": "UTC", "address": "a" * 301}, [("address", "INVALID_ADDRESS")]),
    ],
)
async def test_bad_site_input_is_a_typed_error_and_writes_nothing(
    gql: GraphQLClient, world: World, fields: dict[str, Any], expected: list[Any]
) -> None:
    before = await Site.all().count()
    found = payload(
        await gql.execute(CREATE_SITE, {"i": fields}, token=await make.token_for(world.admin)),
        "createSite",
    )
    assert (found["site"], codes(found)) == (None, expected)
    assert await Site.all().count() == before
    assert await AuditEntry.filter(action="site.create").count() == 0


async def test_updating_a_site_audits_only_what_changed(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.admin)
    changes = {"name": "Main St.", "timezone": "America/New_York", "address": ""}
    found = payload(
        await gql.execute(
            UPDATE_SITE, {"i": {"siteId": str(world.site.id), **changes}}, token=token
        ),
        "updateSite",
    )
    assert found["errors"] == []
    assert (found["site"]["name"], found["site"]["timezone"]) == ("Main St.", "America/New_York")
    [entry] = await AuditEntry.filter(action="site.update")
    assert entry.data == {
        "before": {"name": "Main Street", "timezone": "America/Chicago"},
        "after": {"name": "Main St.", "timezone": "America/New_York"},
    }
    taken = payload(
        await gql.execute(
            UPDATE_SITE, {"i": {"siteId": str(world.site.id), "name": "riverside"}}, token=token
        ),
        "updateSite",
    )
    assert codes(taken) == [("name", "DUPLICATE_NAME")]
    bad_zone = payload(
        await gql.execute(
            UPDATE_SITE, {"i": {"siteId": str(world.site.id), "timezone": "CST"}}, token=token
        ),
        "updateSite",
    )
    assert codes(bad_zone) == [("timezone", "INVALID_TIMEZONE")]
    assert (await Site.get(id=world.site.id)).timezone == "America/New_York"


async def test_renaming_a_classroom_is_audited_and_names_stay_unique_per_site(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.admin)
    await make.classroom(world.site, "Bees")
    renamed = payload(
        await gql.execute(
            RENAME_ROOM, {"i": {"classroomId": str(world.room.id), "name": "Moths"}}, token=token
        ),
        "renameClassroom",
    )
    assert renamed["classroom"]["name"] == "Moths"
    [entry] = await AuditEntry.filter(action="classroom.rename")
    assert entry.data == {"before": {"name": "Butterflies"}, "after": {"name": "Moths"}}
    taken = payload(
        await gql.execute(
            RENAME_ROOM, {"i": {"classroomId": str(world.room.id), "name": "bees"}}, token=token
        ),
        "renameClassroom",
    )
    assert codes(taken) == [("name", "DUPLICATE_NAME")]
    # Another site may have a classroom of that name.
    elsewhere = payload(
        await gql.execute(
            CREATE_ROOM, {"i": {"siteId": str(world.other_site.id), "name": "Bees"}}, token=token
        ),
        "createClassroom",
    )
    assert elsewhere["errors"] == []


async def test_nobody_but_an_agency_admin_sets_up_sites(gql: GraphQLClient, world: World) -> None:
    site, room = str(world.site.id), str(world.room.id)
    calls = [
        (CREATE_SITE, {"name": "New", "timezone": "UTC"}),
        (UPDATE_SITE, {"siteId": site, "name": "New"}),
        (ARCHIVE_SITE, {"siteId": site}),
        (CREATE_ROOM, {"siteId": site, "name": "New"}),
        (RENAME_ROOM, {"classroomId": room, "name": "New"}),
        (ARCHIVE_ROOM, {"classroomId": room}),
    ]
    for who, token in (await refused_tokens(world)).items():
        for mutation, fields in calls:
            result = await gql.execute(mutation, {"i": fields}, token=token)
            assert result.codes == ["FORBIDDEN"], (who, mutation)
    for mutation, fields in calls:
        assert (await gql.execute(mutation, {"i": fields})).codes == ["UNAUTHENTICATED"]
    assert (await Site.get(id=world.site.id)).name == "Main Street"
    assert (await Classroom.get(id=world.room.id)).name == "Butterflies"
    assert await AuditEntry.filter(target_type__in=["site", "classroom"]).count() == 0


async def test_another_agencys_sites_and_classrooms_are_not_found(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.foreign_admin)
    site, room = str(world.site.id), str(world.room.id)
    for mutation, fields in [
        (UPDATE_SITE, {"siteId": site, "name": "Mine"}),
        (ARCHIVE_SITE, {"siteId": site}),
        (CREATE_ROOM, {"siteId": site, "name": "Mine"}),
        (RENAME_ROOM, {"classroomId": room, "name": "Mine"}),
        (ARCHIVE_ROOM, {"classroomId": room}),
        (ARCHIVE_ROOM, {"classroomId": "not-an-id"}),
    ]:
        result = await gql.execute(mutation, {"i": fields}, token=token)
        assert result.codes == ["NOT_FOUND"], mutation
    assert (await Site.get(id=world.site.id)).name == "Main Street"
    assert await Classroom.filter(site_id=world.site.id).count() == 1
