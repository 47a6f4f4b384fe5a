"""importRoster: agency admins import children, families and enrollments from a CSV file."""

from __future__ import annotations

from datetime import date

from models.audit import AuditEntry
from models.org import Program
from models.people import Child, Enrollment, Family, FamilyAdult
from models.pins import PinCredential
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.people.roster_helpers import IMPORT, csv_text, row, variables
from tests.sites.helpers import payload, refused_tokens
from tests.world import World


async def _counts() -> tuple[int, int, int, int]:
    return (
        await Child.all().count(),
        await Family.all().count(),
        await FamilyAdult.all().count(),
        await Enrollment.all().count(),
    )


SIBLINGS = [
    row(
        child_state_subsidy_id="TX-1",
        guardian_a_authorized_pickup="yes",
        guardian_b_first_name="Jorge",
        guardian_b_last_name="Lopez",
        guardian_b_email="JORGE@example.com",
        pickup_first_name="Rosa",
        pickup_last_name="Garcia",
        pickup_phone="512-555-0188",
        program="Pre-K",
    ),
    row(
        child_first_name="Leo",
        child_date_of_birth="9/30/2023",
        guardian_b_first_name="Jorge",
        guardian_b_last_name="Lopez",
        pickup_first_name="Rosa",
        pickup_last_name="Garcia",
        pickup_phone="512-555-0188",
        weekdays="1,3,5",
        end_date="2027-06-30",
    ),
]


async def test_an_agency_admin_imports_siblings_into_one_family(
    gql: GraphQLClient, world: World
) -> None:
    await Program.create(agency=world.agency, name="Pre-K")
    token = await make.token_for(world.admin)
    before = await _counts()
    found = payload(
        await gql.execute(IMPORT, variables(world.site.id, csv_text(SIBLINGS)), token=token),
        "importRoster",
    )
    assert found["errors"] == []
    assert (found["written"], found["rows"]) == (True, 2)
    assert found["counts"] == {
        "childrenCreated": 2,
        "childrenMatched": 0,
        "familiesCreated": 1,
        "familiesMatched": 0,
        "adultsCreated": 3,
        "adultsMatched": 0,
        "enrollmentsCreated": 2,
        "enrollmentsMatched": 0,
    }
    after = await _counts()
    assert tuple(a - b for a, b in zip(after, before, strict=True)) == (2, 1, 3, 2)
    ava = await Child.get(state_subsidy_id="TX-1")
    leo = await Child.get(first_name="Leo")
    assert ava.family_id == leo.family_id
    assert (ava.site_id, leo.date_of_birth) == (world.site.id, date(2023, 9, 30))
    adults = {a.first_name: a for a in await FamilyAdult.filter(family_id=ava.family_id)}
    assert adults["Maria"].phone == "+15125550134"
    assert adults["Maria"].authorized_pickup
    assert adults["Jorge"].email == "jorge@example.com"
    assert not adults["Jorge"].authorized_pickup
    assert adults["Rosa"].guardian_slot is None
    assert adults["Rosa"].authorized_pickup
    # Every adult created has a PIN of the agency.
    assert await PinCredential.filter(adult_id__in=[a.id for a in adults.values()]).count() == 3
    enrollment = await Enrollment.get(child_id=leo.id).select_related("classroom")
    assert (enrollment.classroom.name, enrollment.weekdays) == ("Butterflies", "135")
    assert enrollment.ends_on == date(2027, 6, 30)
    ava_enrollment = await Enrollment.get(child_id=ava.id).select_related("program")
    assert ava_enrollment.program is not None
    assert ava_enrollment.program.name == "Pre-K"
    # Audited record by record, as the single-record mutations are, plus a summary.
    actions = [e.action for e in await AuditEntry.filter(actor_id=str(world.admin.id))]
    assert sorted(actions) == sorted(
        ["people.create_family"]
        + ["people.create_child"] * 2
        + ["people.add_guardian"] * 2
        + ["people.add_contact"]
        + ["people.enroll_child"] * 2
        + ["people.import_roster"]
    )


async def test_importing_the_same_file_again_creates_nothing(
    gql: GraphQLClient, world: World
) -> None:
    await Program.create(agency=world.agency, name="Pre-K")
    token = await make.token_for(world.admin)
    text = csv_text(SIBLINGS)
    first = await gql.execute(IMPORT, variables(world.site.id, text), token=token)
    assert payload(first, "importRoster")["written"]
    before = await _counts()
    audits = await AuditEntry.all().count()
    again = payload(
        await gql.execute(IMPORT, variables(world.site.id, text), token=token), "importRoster"
    )
    assert again["errors"] == []
    assert again["counts"] == {
        "childrenCreated": 0,
        "childrenMatched": 2,
        "familiesCreated": 0,
        "familiesMatched": 1,
        "adultsCreated": 0,
        "adultsMatched": 3,
        "enrollmentsCreated": 0,
        "enrollmentsMatched": 2,
    }
    assert await _counts() == before
    # Only the summary entry is new.
    assert await AuditEntry.all().count() == audits + 1


async def test_an_existing_child_is_matched_and_a_sibling_joins_the_family(
    gql: GraphQLClient, world: World
) -> None:
    """World kid Ava Lastname0 is enrolled in Butterflies since 2020: matched by name and
    birth date, left alone; a new sibling with the same guardian A joins her family."""
    kid = world.kids[0]
    guardian = await make.adult(await Family.get(id=kid.family_id), first_name="Kim")
    guardian_row = {
        "guardian_a_first_name": "Kim",
        "guardian_a_last_name": guardian.last_name,
        "guardian_a_email": guardian.email or "",
        "guardian_a_phone": "",
    }
    rows = [
        row(
            child_first_name="ava",
            child_last_name="LASTNAME0",
            child_date_of_birth="2021-05-17",
            **guardian_row,
        ),
        row(child_first_name="Zed", child_last_name="Lastname0", **guardian_row),
    ]
    token = await make.token_for(world.admin)
    found = payload(
        await gql.execute(IMPORT, variables(world.site.id, csv_text(rows)), token=token),
        "importRoster",
    )
    assert found["errors"] == []
    counts = found["counts"]
    assert (counts["childrenMatched"], counts["childrenCreated"]) == (1, 1)
    assert (counts["familiesMatched"], counts["familiesCreated"]) == (1, 0)
    assert (counts["adultsMatched"], counts["adultsCreated"]) == (1, 0)
    assert (counts["enrollmentsMatched"], counts["enrollmentsCreated"]) == (1, 1)
    zed = await Child.get(first_name="Zed")
    assert zed.family_id == kid.family_id
    assert await Enrollment.filter(child_id=kid.id).count() == 1


async def test_a_dry_run_counts_and_writes_nothing(gql: GraphQLClient, world: World) -> None:
    await Program.create(agency=world.agency, name="Pre-K")
    before = await _counts()
    audits = await AuditEntry.all().count()
    found = payload(
        await gql.execute(
            IMPORT,
            variables(world.site.id, csv_text(SIBLINGS), dry_run=True),
            token=await make.token_for(world.admin),
        ),
        "importRoster",
    )
    assert (found["dryRun"], found["written"], found["errors"]) == (True, False, [])
    assert found["counts"]["childrenCreated"] == 2
    assert await _counts() == before
    assert await AuditEntry.all().count() == audits
    assert await PinCredential.filter(adult_id__isnull=False).count() == 0


async def test_callers_who_are_not_agency_admins_are_refused(
    gql: GraphQLClient, world: World
) -> None:
    tokens = await refused_tokens(world)
    before = await _counts()
    for who, token in tokens.items():
        result = await gql.execute(IMPORT, variables(world.site.id, csv_text([row()])), token=token)
        assert result.data is None, who
        assert [e["extensions"]["code"] for e in result.errors] == ["FORBIDDEN"], who
    assert await _counts() == before


async def test_a_site_of_another_agency_is_not_found(gql: GraphQLClient, world: World) -> None:
    before = await _counts()
    ours = await gql.execute(
        IMPORT,
        variables(world.foreign_site.id, csv_text([row()])),
        token=await make.token_for(world.admin),
    )
    theirs = await gql.execute(
        IMPORT,
        variables(world.site.id, csv_text([row()])),
        token=await make.token_for(world.foreign_admin),
    )
    for result in (ours, theirs):
        assert [e["extensions"]["code"] for e in result.errors] == ["NOT_FOUND"]
    assert await _counts() == before


async def test_a_child_of_another_agency_is_never_matched(gql: GraphQLClient, world: World) -> None:
    """The foreign agency's child has subsidy ID CANARY_SUBSIDY: a row with that ID is a
    new child of the importing agency, and the foreign child is untouched."""
    rows = [row(child_first_name="CANARY_FOREIGN_KID", child_state_subsidy_id="CANARY_SUBSIDY")]
    found = payload(
        await gql.execute(
            IMPORT,
            variables(world.site.id, csv_text(rows)),
            token=await make.token_for(world.admin),
        ),
        "importRoster",
    )
    assert (found["counts"]["childrenCreated"], found["counts"]["childrenMatched"]) == (1, 0)
    ours = await Child.get(state_subsidy_id="CANARY_SUBSIDY", agency_id=world.agency.id)
    assert ours.id != world.foreign_kid.id
    assert await Enrollment.filter(child_id=world.foreign_kid.id).count() == 1
