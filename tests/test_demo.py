"""``playroll seed-demo``: the demo agency is complete, created once, and its logins work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr

from auth import sessions
from models.access import AuthSession
from models.audit import AuditEntry
from models.kiosk import Kiosk
from models.org import Agency, Classroom, Site, StaffUser
from models.people import Child, Enrollment, FamilyAdult, GuardianSlot, Language, SharedPickup
from models.pins import PinCredential
from server.demo import DEMO_PARENT_PIN, SITES, create_demo_data, seed_demo
from server.settings import Settings
from services import pins as pin_service
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient

LOGIN = "mutation($i: StaffLoginInput!){ staffLogin(input:$i){ token errors{code} } }"
VIEWER = "{ viewer { ... on StaffViewer { grants siteIds isAgencyAdmin } } }"


async def _login(gql: GraphQLClient, email: str, password: str) -> dict[str, object]:
    result = await gql.execute(LOGIN, {"i": {"email": email, "password": password}})
    assert result.errors == []
    assert result.data is not None
    payload = result.data["staffLogin"]
    assert payload["errors"] == []
    assert payload["token"]
    viewer = await gql.execute(VIEWER, token=payload["token"])
    assert viewer.errors == []
    assert viewer.data is not None
    return viewer.data["viewer"]  # type: ignore[no-any-return]


async def test_creates_a_complete_demo_agency(settings: Settings, clock: FrozenClock) -> None:
    assert await create_demo_data(settings.secret, now=clock.now()) is True

    assert await Agency.all().count() == 1
    sites = await Site.all()
    assert len(sites) == 2
    assert len({s.timezone for s in sites}) == 2
    assert await Classroom.all().count() == 4

    children = await Child.all()
    assert len(children) == 60
    today = clock.now().date()
    active = await Enrollment.filter(starts_on__lte=today, ends_on=None).values_list(
        "child_id", flat=True
    )
    assert {str(c) for c in active} == {str(c.id) for c in children}
    with_guardian_a = await FamilyAdult.filter(guardian_slot=GuardianSlot.A).values_list(
        "family_id", flat=True
    )
    assert {str(c.family_id) for c in children} <= {str(f) for f in with_guardian_a}
    # Siblings share a family, so there are fewer families than children.
    assert len({c.family_id for c in children}) < 60

    assert await SharedPickup.all().count() >= 1
    assert await FamilyAdult.filter(language=Language.ES).exists()

    # No back door: built through the services, so every record has their audit entry,
    # the logins chose their passwords with their links, and the seed's sessions ended.
    done = list(await AuditEntry.all().values_list("action", flat=True))
    assert done.count("agency.create") == 1
    assert done.count("staff.create") == 3
    assert done.count("staff.password_set") == 3
    assert done.count("site.create") == 2
    assert done.count("classroom.create") == 4
    assert done.count("people.create_child") == 60
    assert done.count("people.enroll_child") == 60
    assert done.count("people.add_guardian") + done.count("people.add_contact") == (
        await FamilyAdult.all().count()
    )
    assert not await AuthSession.filter(revoked_at__isnull=True).exists()
    # Every pickup can be called at the door, as the rules of family records want.
    assert not await FamilyAdult.filter(authorized_pickup=True, phone=None).exists()


async def test_second_run_changes_nothing(settings: Settings, clock: FrozenClock) -> None:
    assert await create_demo_data(settings.secret, now=clock.now()) is True
    assert await create_demo_data(settings.secret, now=clock.now()) is False
    assert await Child.all().count() == 60
    assert await Agency.all().count() == 1


async def test_demo_logins_work_with_their_roles(
    gql: GraphQLClient, settings: Settings, clock: FrozenClock
) -> None:
    await create_demo_data(settings.secret, now=clock.now())

    admin = await _login(gql, "admin@example.com", "playroll-admin")
    assert admin["isAgencyAdmin"] is True
    assert len(admin["siteIds"]) == 2  # type: ignore[arg-type]

    teacher = await _login(gql, "teacher@example.com", "playroll-teacher")
    assert "EDIT_ATTENDANCE" in teacher["grants"]  # type: ignore[operator]
    assert len(teacher["siteIds"]) == 1  # type: ignore[arg-type]

    viewer = await _login(gql, "viewer@example.com", "playroll-viewer")
    assert "VIEW_ATTENDANCE" in viewer["grants"]  # type: ignore[operator]
    assert "EDIT_ATTENDANCE" not in viewer["grants"]  # type: ignore[operator]

    # The teacher's PIN is found by its keyed lookup and can be read back.
    staff = await StaffUser.get(email="teacher@example.com")
    credential = await pin_service.find(settings.secret, staff.agency_id, "246810")
    assert credential is not None
    assert credential.staff_id == staff.id
    assert pin_service.reveal(settings.secret, credential) == "246810"


async def test_seed_demo_refuses_outside_debug_mode() -> None:
    settings = Settings(
        database_url="sqlite://:memory:",
        secret_key=SecretStr("x" * 40),
        debug=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    with pytest.raises(RuntimeError, match="debug"):
        await seed_demo(settings)


async def test_the_demo_parent_pin_opens_the_kiosk_pad_at_the_first_site(
    gql: GraphQLClient, settings: Settings, clock: FrozenClock
) -> None:
    await create_demo_data(settings.secret, now=clock.now())
    admin = await StaffUser.get(email="admin@example.com")
    site = await Site.get(name=SITES[0][0])
    kiosk = await Kiosk.create(site=site, name="Demo door", paired_by=admin)
    token = await sessions.issue_kiosk_session(kiosk, timedelta(hours=1), gql.clock.now())
    identify = """
    mutation($i: KioskPinInput!) {
      kioskIdentify(input: $i) { adult { firstName } children { firstName } errors { code } }
    }
    """
    result = await gql.execute(identify, {"i": {"pin": DEMO_PARENT_PIN}}, token=token)
    payload = result.data["kioskIdentify"]  # type: ignore[index]
    assert payload["errors"] == []
    # Their own children and the carpool family's.
    assert len(payload["children"]) >= 2
    # Every adult holds a PIN of its own (given at creation, as for any agency's adults).
    adults = await FamilyAdult.all().count()
    assert await PinCredential.filter(adult_id__isnull=False).count() == adults


async def test_the_demo_has_children_scheduled_on_every_day_of_the_week(
    settings: Settings, clock: FrozenClock
) -> None:
    """Someone trying the demo on a Sunday still sees a roster."""
    await create_demo_data(settings.secret, now=clock.now())

    schedules = await Enrollment.all().values_list("weekdays", flat=True)
    for weekday in "1234567":
        scheduled = sum(weekday in days for days in schedules)
        assert scheduled >= 40, f"only {scheduled} children on ISO weekday {weekday}"
