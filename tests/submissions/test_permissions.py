"""Who may submit attendance and follow it up: the allowed call and the refused ones."""

from __future__ import annotations

from uuid import uuid4

import pytest

from models.signatures import AttendanceSubmission, SubmissionRequest
from tests import factories as make
from tests.clock import FrozenClock
from tests.family.helpers import account_for, parent_token
from tests.graphql import GraphQLClient
from tests.submissions.helpers import FROM, LIST, SUBMIT, TO, Families, data, submit
from tests.world import World


def _submit_vars(site_id: object) -> dict[str, object]:
    return {"i": {"siteId": str(site_id), "from": FROM.isoformat(), "to": TO.isoformat()}}


async def _token(who: str, world: World, homes: Families) -> str | None:
    if who == "anonymous":
        return None
    if who == "kiosk":
        _, token = await make.kiosk(world.site, paired_by=world.admin)
        return token
    if who == "parent":
        return await parent_token(await account_for(homes.ava_guardian))
    user = {
        "admin": world.admin,
        "teacher": world.teacher,
        "viewer": world.viewer,
        "students_viewer": world.students_viewer,
        "other_site_teacher": world.other_site_teacher,
        "foreign_admin": world.foreign_admin,
    }[who]
    return await make.token_for(user)


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("admin", None),
        ("teacher", None),
        ("viewer", "FORBIDDEN"),
        ("students_viewer", "FORBIDDEN"),
        ("other_site_teacher", "NOT_FOUND"),
        ("foreign_admin", "NOT_FOUND"),
        ("kiosk", "FORBIDDEN"),
        ("parent", "FORBIDDEN"),
        ("anonymous", "UNAUTHENTICATED"),
    ],
)
async def test_submitting_needs_attendance_edit_at_that_site(
    gql: GraphQLClient,
    world: World,
    homes: Families,
    clock: FrozenClock,
    who: str,
    code: str | None,
) -> None:
    token = await _token(who, world, homes)
    result = await gql.execute(SUBMIT, _submit_vars(world.site.id), token=token)
    if code is None:
        assert data(result)["submitAttendance"]["errors"] == []
        assert await SubmissionRequest.all().count() == 2
    else:
        assert result.codes == [code]
        assert result.data is None
        assert await AttendanceSubmission.all().count() == 0


async def test_a_missing_site_is_the_same_not_found_as_a_foreign_one(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    token = await make.token_for(world.teacher)
    for site_id in (uuid4(), "not-an-id", world.foreign_site.id, world.other_site.id):
        result = await gql.execute(SUBMIT, _submit_vars(site_id), token=token)
        assert result.codes == ["NOT_FOUND"]
        assert result.errors[0]["message"] == "Site not found."


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("admin", None),
        ("teacher", None),
        ("viewer", None),
        ("students_viewer", "FORBIDDEN"),
        ("other_site_teacher", "NOT_FOUND"),
        ("foreign_admin", "NOT_FOUND"),
        ("kiosk", "FORBIDDEN"),
        ("parent", "FORBIDDEN"),
        ("anonymous", "UNAUTHENTICATED"),
    ],
)
async def test_following_up_needs_attendance_view_at_that_site(
    gql: GraphQLClient,
    world: World,
    homes: Families,
    clock: FrozenClock,
    who: str,
    code: str | None,
) -> None:
    await submit(gql, await make.token_for(world.teacher), world.site.id)
    token = await _token(who, world, homes)
    result = await gql.execute(LIST, {"site": str(world.site.id)}, token=token)
    if code is None:
        [listed] = data(result)["attendanceSubmissions"]
        assert len(listed["requests"]) == 2
    else:
        assert result.codes == [code]
        assert result.data is None


async def test_another_sites_submissions_stay_there(
    gql: GraphQLClient, world: World, homes: Families, clock: FrozenClock
) -> None:
    await make.child(world.other_room, of=homes.ava, first_name="Eli")
    await submit(gql, await make.token_for(world.admin), world.other_site.id)
    teacher = await make.token_for(world.teacher)
    listed = data(await gql.execute(LIST, {"site": str(world.site.id)}, token=teacher))
    assert listed["attendanceSubmissions"] == []
