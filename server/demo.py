"""Demo data for ``playroll seed-demo``: one agency with two sites, 60 children and three logins.

Only for debug (demo) mode: the logins have published passwords. The data is generated from a
fixed random seed, so every run produces the same names, dates and contact details, and it is
created at most once (keyed by the agency name) inside a single transaction.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from auth import passwords
from auth.keys import Keyring
from models.org import Agency, Classroom, ModuleAccess, Role, Site, StaffSiteAccess, StaffUser
from models.people import (
    Child,
    ContactMethod,
    Enrollment,
    Family,
    FamilyAdult,
    GuardianSlot,
    Language,
    SharedPickup,
)
from server.db import open_database
from server.settings import Settings
from services import pins as pin_service

DEMO_AGENCY_NAME = "Playroll Demo Agency"
# The kiosk PIN of a guardian at the first site who also collects a neighbour's children;
# every other guardian and pickup gets a random PIN (staff can reveal them).
DEMO_PARENT_PIN = "314159"
SEED = 2026
CHILDREN_PER_ROOM = 15
# Per site, this many children of the younger room have an older sibling in the other room.
SIBLING_PAIRS_PER_SITE = 4

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

# First names alternate girl, boy, so ``names[0::2]`` are girls' names, ``names[1::2]`` boys'.
EN_FIRST = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Mia", "Elijah", "Harper", "James",
    "Amelia", "Lucas", "Evelyn", "Henry", "Abigail", "Jack", "Ella", "Owen", "Grace", "Leo",
    "Chloe", "Wyatt", "Nora", "Caleb", "Zoe", "Isaac", "Lily", "Ezra", "Hazel", "Miles",
]  # fmt: skip
ES_FIRST = [
    "Sofía", "Mateo", "Valentina", "Santiago", "Camila", "Diego", "Lucía", "Javier", "Isabella",
    "Alejandro", "Ximena", "Emiliano", "Renata", "Andrés", "Mariana", "José", "Daniela", "Luis",
]  # fmt: skip
EN_LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
]  # fmt: skip
ES_LAST = [
    "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez",
    "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Morales", "Ortiz",
]  # fmt: skip
# (relationship in English, in Spanish, 0 for a woman or 1 for a man: the name list offset).
GUARDIANS = [("Mother", "Madre", 0), ("Father", "Padre", 1)]
CONTACTS = [
    ("Grandmother", "Abuela", 0), ("Grandfather", "Abuelo", 1), ("Aunt", "Tía", 0),
    ("Uncle", "Tío", 1), ("Neighbor", "Vecina", 0), ("Family friend", "Amigo de la familia", 1),
]  # fmt: skip
NON_RELATIVES = {"Neighbor", "Family friend"}
# The demo agency runs a seven-day program, so whoever opens the demo sees children on
# the roster whatever the day; a few children come on some days only.
WEEKDAYS = ["1234567"] * 8 + ["1357", "246"]


def _ascii(name: str) -> str:
    """Email-safe form of a name ("Martínez" -> "martinez")."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


class _Builder:
    """Creates the families and children of one run; owns the seeded RNG and counters."""

    def __init__(self, agency: Agency, secret: Keyring) -> None:
        self.agency = agency
        self.secret = secret
        self.rng = random.Random(SEED)
        self.families = 0

    def _contact_details(self, first: str, last: str, area_code: str) -> dict[str, Any]:
        # Most adults give both, some only one; 555-01xx numbers are reserved for fiction.
        kind = self.rng.choices(["both", "email", "phone"], weights=[6, 2, 2])[0]
        email = f"{_ascii(first)}.{_ascii(last)}{self.families}@example.com"
        phone = f"({area_code}) 555-01{self.rng.randrange(100):02d}"
        has_email, has_phone = kind != "phone", kind != "email"
        prefers_sms = has_phone and (not has_email or self.rng.random() < 0.4)
        return {
            "email": email if has_email else None,
            "phone": phone if has_phone else None,
            "preferred_contact": ContactMethod.SMS if prefers_sms else ContactMethod.EMAIL,
        }

    async def family(self, area_code: str) -> tuple[Family, str, bool]:
        """A family with guardian A, usually guardian B, and one or two contacts."""
        self.families += 1
        rng = self.rng
        spanish = rng.random() < 0.3
        firsts, lasts = (ES_FIRST, ES_LAST) if spanish else (EN_FIRST, EN_LAST)
        language = Language.ES if spanish else Language.EN
        last = rng.choice(lasts)
        family = await Family.create(agency=self.agency, name=f"{last} Family")
        guardians = GUARDIANS if rng.random() < 0.7 else GUARDIANS[::-1]
        adults: list[tuple[GuardianSlot | None, tuple[str, str, int], bool]] = [
            (GuardianSlot.A, guardians[0], False)
        ]
        if rng.random() < 0.8:
            adults.append((GuardianSlot.B, guardians[1], False))
        for contact in rng.sample(CONTACTS, rng.randint(1, 2)):
            adults.append((None, contact, rng.random() < 0.6))
        used: set[str] = set()  # distinct first names, so the emails are distinct too
        for slot, (english, spanish_word, gender), pickup in adults:
            first = rng.choice([n for n in firsts[gender::2] if n not in used])
            used.add(first)
            # Relatives share the family name; a neighbour or friend has their own.
            surname = rng.choice(lasts) if english in NON_RELATIVES else last
            adult = await FamilyAdult.create(
                family=family,
                guardian_slot=slot,
                first_name=first,
                last_name=surname,
                relationship=spanish_word if spanish else english,
                language=language,
                # In the demo every guardian may collect the children, and some contacts.
                authorized_pickup=slot is not None or pickup,
                **self._contact_details(first, surname, area_code),
            )
            if adult.authorized_pickup:
                await pin_service.issue(self.secret, self.agency, adult_id=adult.id)
        return family, last, spanish

    async def child(self, family: Family, last: str, spanish: bool, room: Classroom,
                    born: tuple[date, date]) -> None:  # fmt: skip
        rng = self.rng
        firsts = ES_FIRST if spanish else EN_FIRST
        first, middle = rng.sample(firsts[rng.randrange(2) :: 2], 2)
        dob = _day_between(rng, *born)
        has_subsidy = rng.random() < 0.8
        child = await Child.create(
            agency=self.agency,
            family=family,
            first_name=first,
            middle_name=middle,
            last_name=last,
            date_of_birth=dob,
            state_subsidy_id=f"TX-{rng.randrange(10**8):08d}" if has_subsidy else None,
        )
        # Enrolled at 12 weeks at the earliest, and before 2026 so it is active today.
        starts = max(dob + timedelta(weeks=12), date(2023, 8, 1))
        await Enrollment.create(
            child=child,
            classroom=room,
            starts_on=_day_between(rng, starts, date(2025, 12, 15)),
            ends_on=None,
            weekdays=rng.choice(WEEKDAYS),
        )


async def _create_staff(agency: Agency, sites: list[Site], secret: Keyring) -> None:
    roles = {}
    for name, (students, attendance, messaging, site_admin) in ROLES.items():
        roles[name] = await Role.create(
            agency=agency, name=name, students=students, attendance=attendance,
            messaging=messaging, site_admin=site_admin,
        )  # fmt: skip
    for email, password, first, last, role, pin, site_index in STAFF:
        user = await StaffUser.create(
            agency=agency,
            role=roles[role] if role else None,
            email=email.lower(),
            first_name=first,
            last_name=last,
            password_hash=passwords.hash_password(password),
            is_agency_admin=role is None,
        )
        if pin:
            await pin_service.store(secret, agency.id, pin, staff_id=user.id)
        if site_index is not None:
            await StaffSiteAccess.create(staff=user, site=sites[site_index])


async def create_demo_data(secret: Keyring) -> bool:
    """Create the demo agency unless it exists; True when created. Needs the ORM open."""
    if await Agency.exists(name=DEMO_AGENCY_NAME):
        return False
    async with in_transaction():
        agency = await Agency.create(name=DEMO_AGENCY_NAME)
        builder = _Builder(agency, secret)
        sites: list[Site] = []
        for site_name, timezone, requires_pin, area_code, rooms in SITES:
            site = await Site.create(
                agency=agency, name=site_name, timezone=timezone, staff_requires_pin=requires_pin
            )
            sites.append(site)
            families: list[Family] = []
            young, old = [
                (await Classroom.create(site=site, name=name), (start, end))
                for name, start, end in rooms
            ]
            for i in range(CHILDREN_PER_ROOM):
                family, last, spanish = await builder.family(area_code)
                families.append(family)
                await builder.child(family, last, spanish, *young)
                if i >= SIBLING_PAIRS_PER_SITE:  # otherwise the older child is a sibling
                    family, last, spanish = await builder.family(area_code)
                    families.append(family)
                await builder.child(family, last, spanish, *old)
            # A carpool: guardian A of one family may also collect a neighbour family's kids.
            giver, taker = builder.rng.sample(families, 2)
            adult = await FamilyAdult.get(family=giver, guardian_slot=GuardianSlot.A)
            await SharedPickup.create(adult=adult, family=taker)
            if site_name == SITES[0][0]:
                await pin_service.store(secret, agency.id, DEMO_PARENT_PIN, adult_id=adult.id)
        await _create_staff(agency, sites, secret)
    return True


async def seed_demo(settings: Settings) -> bool:
    """Open the database and create the demo data; refuses outside debug mode."""
    # The CLI already refuses; checked again because demo logins have published passwords.
    if not settings.debug:
        raise RuntimeError("demo data is only created in debug mode (PLAYROLL_DEBUG=1)")
    async with open_database(settings.database_url):
        return await create_demo_data(settings.secret)
