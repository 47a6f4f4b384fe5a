"""Demo data for ``playroll seed-demo``: one agency with two sites, 60 children and three logins.

Only for debug (demo) mode: the logins have published passwords. The demo is built the way a
real agency is, with no back door: ``create-agency``'s service makes the agency and its
admin, who chooses the published password with the set-password link, then creates sites,
roles, staff, children, families and enrollments through the services the API calls
(audited like any agency's records). The other logins choose their passwords with their
invitation links and their published staff PINs with ``changeOwnPin``'s service.

The families are drawn from a fixed random seed (``server/demo_families.py``), so every run
produces the same names, dates and contact details; random PINs differ. It is created at most
once (keyed by the agency name) inside a single transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from tortoise.transactions import in_transaction

from auth import sealed, sessions
from auth.keys import Keyring
from auth.principals import Anonymous, StaffPrincipal, is_staff
from models.notifications import Notification
from models.org import Agency, ModuleAccess
from realtime.bus import EventBus
from server.db import open_database
from server.demo_families import FamilyBuilder, Room
from server.settings import Settings
from services import access, agencies, pin_care, roles, site_settings, sites, staff, staff_pins
from services import staff_passwords as passwords
from services.clock import SystemClock
from services.staff_passwords import LinkPolicy

DEMO_AGENCY_NAME = "Playroll Demo Agency"
DEMO_AGENCY_TIMEZONE = "UTC"
# The kiosk PIN of a guardian at the first site who also collects a neighbour's children;
# every other adult gets a random PIN (staff can reveal them).
DEMO_PARENT_PIN = "314159"

# (name, time zone, staff_requires_pin, area code, [(room, born from, born until)]).
# The rooms of each site are listed youngest first.
SITES = [
    ("Main Street Center", "America/Chicago", False, "312", [
        ("Infants", date(2024, 9, 1), date(2025, 8, 31)),
        ("Preschool", date(2021, 9, 1), date(2022, 8, 31)),
    ]),
    ("Riverside Center", "America/Los_Angeles", True, "213", [
        ("Toddlers", date(2023, 3, 1), date(2024, 8, 31)),
        ("Pre-K", date(2020, 9, 1), date(2021, 8, 31)),
    ]),
]  # fmt: skip

# name -> (students, attendance, messaging, site_admin)
ROLES = {
    "Director": (ModuleAccess.EDIT, ModuleAccess.EDIT, True, True),
    "Teacher": (ModuleAccess.VIEW, ModuleAccess.EDIT, True, False),
    "Viewer": (ModuleAccess.NONE, ModuleAccess.VIEW, False, False),
}

# (email, password, first, last, role or None for agency admin, PIN, index of the site they
# work at or None for all sites). The passwords are published in the README: demo only.
STAFF = [
    ("admin@example.com", "playroll-admin", "Alex", "Morgan", None, "135790", None),
    ("teacher@example.com", "playroll-teacher", "Taylor", "Brooks", "Teacher", "246810", 0),
    ("viewer@example.com", "playroll-viewer", "Val", "Jordan", "Viewer", None, 0),
]


# The seed signs its staff in like anyone (each sign-in is counted); generous limits, as
# the seed's few sign-ins all succeed.
_THROTTLE = access.ThrottlePolicy(
    account_max_failures=10,
    account_window=timedelta(minutes=15),
    ip_max_failures=100,
    ip_window=timedelta(minutes=15),
)
# The seed's own sessions end with it (signed out at the end).
_SESSION_LIFETIME = timedelta(hours=1)


@dataclass
class _Seeder:
    """Acts through the services with the sessions its demo staff open."""

    secret: Keyring
    links: LinkPolicy
    now: datetime
    # Nobody listens to a seed process: the events of its changes go nowhere.
    bus: EventBus = field(default_factory=lambda: EventBus(None))
    tokens: list[str] = field(default_factory=list)

    async def choose_password(self, link: str, password: str) -> StaffPrincipal:
        """Consume a set-password link, as the staff member would; signed in after."""
        token = parse_qs(urlsplit(link).query)["token"][0]
        session = await passwords.set_password(
            Anonymous(),
            token,
            password,
            secret=self.secret,
            throttle_policy=_THROTTLE,
            session_lifetime=_SESSION_LIFETIME,
            bus=self.bus,
            now=self.now,
        )
        self.tokens.append(session)
        return await self.principal(session)

    async def principal(self, session: str) -> StaffPrincipal:
        """The caller a session stands for now (an admin's sites are read at each call)."""
        found = await sessions.resolve(session, self.now)
        if found is None or not is_staff(found):
            raise RuntimeError("the demo seed lost its own session")
        return found

    async def invitation(self, email: str) -> str:
        """The set-password link queued to a new staff member, read from the outbox."""
        message = (
            await Notification.filter(destination=email, template="staff_invitation")
            .order_by("-created_at")
            .first()
        )
        opened = sealed.unseal(self.secret, message.secret_params) if message else None
        if opened is None:
            raise RuntimeError(f"no invitation was queued to {email}")
        link: str = json.loads(opened)["link"]
        return link

    async def own_pin(self, principal: StaffPrincipal, pin: str) -> None:
        """Change one's own staff PIN to the published one, reading the current one back."""
        current = await pin_care.own_pin(principal, self.secret)
        if current is None:
            raise RuntimeError("a demo staff member has no PIN")
        await staff_pins.change_own_pin(
            principal, current, pin, secret=self.secret, throttle_policy=_THROTTLE, now=self.now
        )

    async def sign_out(self) -> None:
        for session in self.tokens:
            found = await sessions.resolve(session, self.now)
            if found is not None and is_staff(found):
                await access.logout(found, self.bus, self.now)


async def _first_start(seeder: _Seeder) -> str:
    """The agency and its admin (``playroll create-agency``), who chooses a password."""
    email, password, first, last, _role, pin, _site = STAFF[0]
    started = await agencies.create_agency(
        DEMO_AGENCY_NAME,
        email,
        first_name=first,
        last_name=last,
        timezone=DEMO_AGENCY_TIMEZONE,
        links=seeder.links,
        now=seeder.now,
    )
    admin = await seeder.choose_password(started.link, password)
    if pin:
        await seeder.own_pin(admin, pin)
    return seeder.tokens[-1]


async def _sites(admin: StaffPrincipal, bus: EventBus) -> list[list[Room]]:
    """The sites and their classrooms, youngest room first."""
    built = []
    for name, timezone, _requires_pin, _area, rooms in SITES:
        site = await sites.create_site(admin, sites.NewSite(name=name, timezone=timezone), bus=bus)
        built.append(
            [
                Room(site, await sites.create_classroom(admin, site.id, room), born_from, until)
                for room, born_from, until in rooms
            ]
        )
    return built


async def _site_settings(admin: StaffPrincipal, built: list[list[Room]]) -> None:
    for (_name, _tz, requires_pin, _area, _rooms), rooms in zip(SITES, built, strict=True):
        if requires_pin:
            await site_settings.update_site_settings(
                admin,
                rooms[0].site.id,
                site_settings.SiteSettingsChanges(staff_requires_pin=True),
                rotate=False,
            )


async def _staff(seeder: _Seeder, admin: StaffPrincipal, site_ids: list[UUID]) -> None:
    """The roles, then each other login: created, invited, their password and PIN chosen."""
    role_ids = {}
    for name, (students, attendance, messaging, site_admin) in ROLES.items():
        role = await roles.create_role(
            admin,
            roles.RoleChanges(name, students, attendance, messaging, site_admin),
        )
        role_ids[name] = role.id
    for email, password, first, last, role_name, pin, site_index in STAFF[1:]:
        assert role_name is not None, "only the first login is the agency admin"
        new = staff.NewStaff(
            first_name=first,
            last_name=last,
            email=email,
            role_id=role_ids[role_name],
            site_ids=site_ids if site_index is None else [site_ids[site_index]],
        )
        await staff.create_staff(admin, new, links=seeder.links, now=seeder.now)
        member = await seeder.choose_password(await seeder.invitation(email), password)
        if pin:
            await seeder.own_pin(member, pin)


async def create_demo_data(
    secret: Keyring, *, now: datetime, base_url: str = "http://localhost:8000"
) -> bool:
    """Create the demo agency unless it exists; True when created. Needs the ORM open."""
    if await Agency.exists(name=DEMO_AGENCY_NAME):
        return False
    seeder = _Seeder(secret, LinkPolicy(secret, base_url), now)
    async with in_transaction():
        session = await _first_start(seeder)
        built = await _sites(await seeder.principal(session), seeder.bus)
        # Read again: an agency admin's principal holds the sites that existed at the time.
        admin = await seeder.principal(session)
        await _site_settings(admin, built)
        # The staff's fixed PINs are taken before any random family PIN could take them.
        await _staff(seeder, admin, [rooms[0].site.id for rooms in built])
        families = FamilyBuilder(admin, secret, now)
        for (_name, _tz, _pin, area_code, _rooms), (young, old) in zip(SITES, built, strict=True):
            carpool = await families.carpool(await families.rooms(area_code, young, old))
            if young.site.name == SITES[0][0]:
                await pin_care.choose_pin(admin, carpool, DEMO_PARENT_PIN, secret)
        await seeder.sign_out()
    return True


async def seed_demo(settings: Settings) -> bool:
    """Open the database and create the demo data; refuses outside debug mode."""
    # The CLI already refuses; checked again because demo logins have published passwords.
    if not settings.debug:
        raise RuntimeError("demo data is only created in debug mode (PLAYROLL_DEBUG=1)")
    async with open_database(settings.database_url):
        return await create_demo_data(
            settings.secret, now=SystemClock().now(), base_url=settings.base_url
        )
