"""Async factories for the objects tests need; every argument has a sensible default."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from auth import passwords, sessions
from models.kiosk import Kiosk
from models.org import Agency, Classroom, ModuleAccess, Role, Site, StaffSiteAccess, StaffUser
from models.people import (
    Child,
    ContactMethod,
    Enrollment,
    Family,
    FamilyAdult,
    GuardianSlot,
    Language,
)
from services import pins as pin_service
from tests import clock
from tests.conftest import TEST_KEYRING

_counter = itertools.count(1)
# Hashing is deliberately slow; tests share one hash unless they test passwords.
DEFAULT_PASSWORD = "correct horse battery"
_DEFAULT_HASH = passwords.hash_password(DEFAULT_PASSWORD)


def _n() -> int:
    return next(_counter)


async def agency(name: str | None = None) -> Agency:
    return await Agency.create(name=name or f"Agency {_n()}")


async def site(
    of: Agency, *, name: str | None = None, timezone: str = "America/Chicago", **settings: bool
) -> Site:
    return await Site.create(agency=of, name=name or f"Site {_n()}", timezone=timezone, **settings)


async def classroom(at: Site, name: str | None = None) -> Classroom:
    return await Classroom.create(site=at, name=name or f"Room {_n()}")


async def role(
    of: Agency,
    *,
    students: ModuleAccess = ModuleAccess.NONE,
    attendance: ModuleAccess = ModuleAccess.NONE,
    messaging: bool = False,
    site_admin: bool = False,
) -> Role:
    return await Role.create(
        agency=of,
        name=f"Role {_n()}",
        students=students,
        attendance=attendance,
        messaging=messaging,
        site_admin=site_admin,
    )


async def staff(
    of: Agency,
    *,
    role: Role | None = None,
    sites: list[Site] = (),  # type: ignore[assignment]
    admin: bool = False,
    email: str | None = None,
    password: str | None = None,
    pin: str | None = None,
    first_name: str = "Sam",
    last_name: str | None = None,
) -> StaffUser:
    user = await StaffUser.create(
        agency=of,
        role=role,
        email=(email or f"staff{_n()}@example.test").lower(),
        first_name=first_name,
        last_name=last_name or f"Staff{_n()}",
        password_hash=passwords.hash_password(password) if password else _DEFAULT_HASH,
        is_agency_admin=admin,
    )
    if pin:
        await pin_service.store(TEST_KEYRING, of.id, pin, staff_id=user.id)
    for s in sites:
        await StaffSiteAccess.create(staff=user, site=s)
    return user


async def token_for(user: StaffUser, lifetime: timedelta = timedelta(hours=12)) -> str:
    return await sessions.issue_staff_session(user, lifetime, "127.0.0.1", clock.current().now())


# For servers in other processes, which run on the machine's clock, not the test's.
ANY_WALL_CLOCK = timedelta(days=365 * 50)


async def family(of: Agency, name: str | None = None) -> Family:
    return await Family.create(agency=of, name=name or f"Family {_n()}")


async def adult(
    of: Family,
    *,
    slot: GuardianSlot | None = GuardianSlot.A,
    first_name: str | None = None,
    last_name: str | None = None,
    pickup: bool = True,
) -> FamilyAdult:
    return await FamilyAdult.create(
        family=of,
        guardian_slot=slot,
        first_name=first_name or f"Pat{_n()}",
        last_name=last_name or of.name.split()[-1],
        email=f"adult{_n()}@example.test",
        authorized_pickup=pickup,
    )


async def child(
    in_room: Classroom,
    *,
    of: Family | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    starts_on: date = date(2020, 1, 1),
    ends_on: date | None = None,
    weekdays: str = "1234567",
    subsidy_id: str | None = None,
) -> Child:
    site = await in_room.site
    agency_id = site.agency_id
    fam = of or await Family.create(agency_id=agency_id, name=f"Family {_n()}")
    kid = await Child.create(
        agency_id=agency_id,
        family=fam,
        first_name=first_name or f"Kid{_n()}",
        last_name=last_name or f"Family{_n()}",
        date_of_birth=date(2021, 5, 17),
        state_subsidy_id=subsidy_id,
    )
    await Enrollment.create(
        child=kid, classroom=in_room, starts_on=starts_on, ends_on=ends_on, weekdays=weekdays
    )
    return kid


async def adult_with_pin(
    of: Family,
    *,
    pin: str | None = None,
    slot: GuardianSlot | None = None,
    email: str | None = None,
    phone: str | None = None,
    reachable: bool = True,
    preferred_contact: ContactMethod = ContactMethod.EMAIL,
    language: Language = Language.EN,
) -> tuple[FamilyAdult, str]:
    """A contact (or guardian) holding a PIN: ``pin`` when given, else a random one of
    the agency's length. Without email or phone, a made-up email unless not ``reachable``."""
    grown = await FamilyAdult.create(
        family=of,
        guardian_slot=slot,
        first_name=f"Pinny{_n()}",
        last_name=of.name.split()[-1],
        email=email or (f"adult{_n()}@example.test" if reachable and not phone else None),
        phone=phone,
        preferred_contact=preferred_contact,
        language=language,
        authorized_pickup=True,
    )
    secret = TEST_KEYRING
    if pin is None:
        pin = await pin_service.issue(secret, await Agency.get(id=of.agency_id), adult_id=grown.id)
    else:
        await pin_service.store(secret, of.agency_id, pin, adult_id=grown.id)
    return grown, pin


async def kiosk(at: Site, *, paired_by: StaffUser, name: str | None = None) -> tuple[Kiosk, str]:
    """A tablet paired to ``at`` and its device token."""
    tablet = await Kiosk.create(
        site=at, name=name or f"Tablet {_n()}", paired_by=paired_by, paired_at=clock.current().now()
    )
    token = await sessions.issue_kiosk_session(tablet, timedelta(days=30), clock.current().now())
    return tablet, token
