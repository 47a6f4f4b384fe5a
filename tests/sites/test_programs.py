"""Programs label enrollments; rosters, counts and guardian lists filter by them."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from models.audit import AuditEntry
from models.org import Program
from models.people import Enrollment, Family, GuardianSlot
from realtime import channels
from realtime.events import AttendanceChanged
from services import rosters
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.sites.helpers import codes, payload, refused_tokens
from tests.world import World

PROGRAM = "program { id name archivedAt } errors { field code message }"
CREATE = f"mutation($i: CreateProgramInput!) {{ createProgram(input: $i) {{ {PROGRAM} }} }}"
RENAME = f"mutation($i: RenameProgramInput!) {{ renameProgram(input: $i) {{ {PROGRAM} }} }}"
ARCHIVE = f"mutation($i: ArchiveProgramInput!) {{ archiveProgram(input: $i) {{ {PROGRAM} }} }}"
LIST = "{ programs%s { name archivedAt } }"


async def _create(gql: GraphQLClient, token: str, name: str) -> dict[str, Any]:
    return payload(await gql.execute(CREATE, {"i": {"name": name}}, token=token), "createProgram")


async def test_an_agency_admin_creates_renames_and_archives_programs(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.admin)
    pre_k = (await _create(gql, token, " Pre-K "))["program"]
    await _create(gql, token, "School age")
    assert pre_k["name"] == "Pre-K"
    assert codes(await _create(gql, token, "pre-k")) == [("name", "DUPLICATE_NAME")]
    assert codes(await _create(gql, token, " ")) == [("name", "INVALID_NAME")]

    renamed = payload(
        await gql.execute(RENAME, {"i": {"programId": pre_k["id"], "name": "PreK"}}, token=token),
        "renameProgram",
    )
    assert renamed["program"]["name"] == "PreK"
    archived = payload(
        await gql.execute(ARCHIVE, {"i": {"programId": pre_k["id"]}}, token=token),
        "archiveProgram",
    )
    assert archived["program"]["archivedAt"] is not None
    again = payload(
        await gql.execute(ARCHIVE, {"i": {"programId": pre_k["id"]}}, token=token),
        "archiveProgram",
    )
    assert codes(again) == [("programId", "ARCHIVED")]

    # Any staff member reads the labels; archived ones when asked.
    teacher = await make.token_for(world.teacher)
    assert (await gql.execute(LIST % "", token=teacher)).data == {
        "programs": [{"name": "School age", "archivedAt": None}]
    }
    every = (await gql.execute(LIST % "(includeArchived: true)", token=teacher)).data
    assert [p["name"] for p in every["programs"]] == ["PreK", "School age"]  # type: ignore[index]

    actions = [
        (e.action, e.data)
        for e in await AuditEntry.filter(target_id=pre_k["id"]).order_by("at", "id")
    ]
    assert actions == [
        ("program.create", {"before": None, "after": {"name": "Pre-K"}}),
        ("program.rename", {"before": {"name": "Pre-K"}, "after": {"name": "PreK"}}),
        (
            "program.archive",
            {
                "before": {"archived_at": None},
                "after": {"archived_at": gql.clock.now().isoformat()},
            },
        ),
    ]


async def test_nobody_but_an_agency_admin_edits_programs(gql: GraphQLClient, world: World) -> None:
    mine = await Program.create(agency=world.agency, name="Pre-K")
    calls = [
        (CREATE, {"name": "New"}),
        (RENAME, {"programId": str(mine.id), "name": "New"}),
        (ARCHIVE, {"programId": str(mine.id)}),
    ]
    for who, token in (await refused_tokens(world)).items():
        for mutation, fields in calls:
            result = await gql.execute(mutation, {"i": fields}, token=token)
            assert result.codes == ["FORBIDDEN"], (who, mutation)
    foreign = await make.token_for(world.foreign_admin)
    for mutation, fields in calls[1:]:
        assert (await gql.execute(mutation, {"i": fields}, token=foreign)).codes == ["NOT_FOUND"]
    assert (await gql.execute(LIST % "", token=foreign)).data == {"programs": []}
    assert (await Program.get(id=mine.id)).name == "Pre-K"
    assert await Program.all().count() == 1
    assert await AuditEntry.filter(target_type="program").count() == 0


async def test_rosters_counts_and_guardians_filter_by_program(
    gql: GraphQLClient, world: World
) -> None:
    pre_k = await Program.create(agency=world.agency, name="Pre-K")
    subsidy = await Program.create(agency=world.agency, name="Subsidy")
    ava, ben, _ = world.kids
    await Enrollment.filter(child_id=ava.id).update(program_id=pre_k.id)
    await Enrollment.filter(child_id=ben.id).update(program_id=subsidy.id)
    guardian_of_ava = await make.adult(await Family.get(id=ava.family_id), slot=GuardianSlot.A)
    await make.adult(await Family.get(id=ben.family_id), slot=GuardianSlot.A)
    token = await make.token_for(world.teacher)

    roster = (
        '{ classroom(id: "%s") { roster%s { child { firstName } programId program { name } } } }'
    )
    every = (await gql.execute(roster % (world.room.id, ""), token=token)).data
    assert [  # type: ignore[index]
        (r["child"]["firstName"], r["program"] and r["program"]["name"])
        for r in every["classroom"]["roster"]
    ] == [("Ava", "Pre-K"), ("Ben", "Subsidy"), ("Cleo", None)]
    only = await gql.execute(roster % (world.room.id, f'(programId: "{pre_k.id}")'), token=token)
    assert only.data == {
        "classroom": {
            "roster": [
                {
                    "child": {"firstName": "Ava"},
                    "programId": str(pre_k.id),
                    "program": {"name": "Pre-K"},
                }
            ]
        }
    }

    counts = '{ liveCounts(siteId: "%s", programId: "%s") { enrolled } }'
    found = await gql.execute(counts % (world.site.id, subsidy.id), token=token)
    assert found.data == {"liveCounts": {"enrolled": 1}}

    guardians = '{ guardians(siteId: "%s", programId: "%s") { id } }'
    listed = await gql.execute(guardians % (world.site.id, pre_k.id), token=token)
    assert listed.data == {"guardians": [{"id": str(guardian_of_ava.id)}]}

    # An archived program still filters: the enrollments carrying it keep it.
    pre_k.archived_at = gql.clock.now()
    await pre_k.save()
    again = await gql.execute(guardians % (world.site.id, pre_k.id), token=token)
    assert again.data == listed.data


async def test_filtering_by_another_agencys_program_is_not_found(
    gql: GraphQLClient, world: World
) -> None:
    foreign = await Program.create(agency=world.foreign_agency, name="Theirs")
    token = await make.token_for(world.teacher)
    for query in (
        '{ classroom(id: "%s") { roster(programId: "%s") { programId } } }'
        % (world.room.id, foreign.id),
        '{ liveCounts(siteId: "%s", programId: "%s") { enrolled } }' % (world.site.id, foreign.id),
        '{ guardians(siteId: "%s", programId: "%s") { id } }' % (world.site.id, foreign.id),
        '{ guardians(siteId: "%s", programId: "nope") { id } }' % world.site.id,
    ):
        assert (await gql.execute(query, token=token)).codes == ["NOT_FOUND"], query


async def test_live_count_updates_follow_only_the_program_counted(
    gql: GraphQLClient, world: World
) -> None:
    pre_k = await Program.create(agency=world.agency, name="Pre-K")
    ava = world.kids[0]
    await Enrollment.filter(child_id=ava.id).update(program_id=pre_k.id)
    token = await make.token_for(world.teacher)
    principal = await gql.principal_for(token)
    now = gql.clock.now()
    counted = await rosters.tally(principal, world.site, None, now, UUID(str(pre_k.id)))
    others = await rosters.tally(principal, world.site, None, now, uuid4())
    await gql.execute(
        "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }",
        {
            "i": {
                "childIds": [str(ava.id), str(world.kids[1].id)],
                "classroomId": str(world.room.id),
            }
        },
        token=token,
    )
    changes = [
        AttendanceChanged.from_dict(message)
        for channel, message in gql.broadcast.published
        if channel == channels.site_counts(world.site.id)
    ]
    assert sorted(c.program_id or "" for c in changes) == ["", str(pre_k.id)]
    assert [counted.apply(c) for c in changes].count(True) == 1
    assert not any(others.apply(c) for c in changes)
    assert counted.counts().signed_in == 1
