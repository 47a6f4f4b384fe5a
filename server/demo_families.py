"""The demo's children and families, drawn from a fixed random seed and created through the
same services staff use (people, family_records, enrollments), as the demo's agency admin.

Every run draws the same numbers in the same order, so the names, dates and contact
details are the same each time; the services add what any agency's records get (an
audit entry per change, a PIN for every adult, phones in E.164).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from auth.keys import Keyring
from auth.principals import StaffPrincipal
from models.org import Classroom, Site
from models.people import Child, ContactMethod, GuardianSlot, Language
from services import enrollments, family_records, people, shared_pickups

SEED = 2026
CHILDREN_PER_ROOM = 15
# Per site, this many children of the younger room have an older sibling in the other room.
SIBLING_PAIRS_PER_SITE = 4

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
# Enrolled before this day, so every enrollment is active on any day the demo is tried.
LAST_START = date(2025, 12, 15)


def _ascii(name: str) -> str:
    """Email-safe form of a name ("Martínez" -> "martinez")."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


@dataclass(frozen=True)
class FamilyPlan:
    last: str
    spanish: bool
    adults: list[tuple[GuardianSlot | None, family_records.AdultDetails]]


@dataclass(frozen=True)
class ChildPlan:
    first: str
    middle: str
    born: date
    subsidy_id: str | None
    starts_on: date
    weekdays: str


@dataclass(frozen=True)
class Room:
    """A classroom of the demo and the span its children are born in."""

    site: Site
    classroom: Classroom
    born_from: date
    born_until: date


class FamilyBuilder:
    """Draws and creates the families and children of one run; owns the seeded RNG."""

    def __init__(self, admin: StaffPrincipal, secret: Keyring, now: datetime) -> None:
        self.admin = admin
        self.secret = secret
        self.now = now
        self.rng = random.Random(SEED)
        self.families = 0
        # Family ID -> its Parent/Guardian A, who may share pickups with a neighbour.
        self.guardian_a: dict[str, UUID] = {}

    # --- drawing (the order of the draws is the demo's content: keep it) -----------------

    def _contact(
        self, first: str, last: str, area_code: str, pickup: bool
    ) -> tuple[str | None, str | None, ContactMethod]:
        """Most adults give both, some only one; 555-01xx numbers are reserved for fiction."""
        kind = self.rng.choices(["both", "email", "phone"], weights=[6, 2, 2])[0]
        email = f"{_ascii(first)}.{_ascii(last)}{self.families}@example.com"
        phone = f"({area_code}) 555-01{self.rng.randrange(100):02d}"
        has_email, has_phone = kind != "phone", kind != "email"
        prefers_sms = has_phone and (not has_email or self.rng.random() < 0.4)
        # A pickup is called at the door, so the rules want their cell phone; decided
        # after the draws, which stay those of every earlier demo.
        has_phone = has_phone or pickup
        method = ContactMethod.SMS if prefers_sms else ContactMethod.EMAIL
        return (email if has_email else None, phone if has_phone else None, method)

    def draw_family(self, area_code: str) -> FamilyPlan:
        """Guardian A, usually guardian B, and one or two contacts."""
        self.families += 1
        rng = self.rng
        spanish = rng.random() < 0.3
        firsts, lasts = (ES_FIRST, ES_LAST) if spanish else (EN_FIRST, EN_LAST)
        last = rng.choice(lasts)
        guardians = GUARDIANS if rng.random() < 0.7 else GUARDIANS[::-1]
        drawn: list[tuple[GuardianSlot | None, tuple[str, str, int], bool]] = [
            (GuardianSlot.A, guardians[0], False)
        ]
        if rng.random() < 0.8:
            drawn.append((GuardianSlot.B, guardians[1], False))
        for contact in rng.sample(CONTACTS, rng.randint(1, 2)):
            drawn.append((None, contact, rng.random() < 0.6))
        used: set[str] = set()  # distinct first names, so the emails are distinct too
        adults = []
        for slot, (english, spanish_word, gender), pickup in drawn:
            first = rng.choice([n for n in firsts[gender::2] if n not in used])
            used.add(first)
            # Relatives share the family name; a neighbour or friend has their own.
            surname = rng.choice(lasts) if english in NON_RELATIVES else last
            # In the demo every guardian may collect the children, and some contacts.
            authorized = slot is not None or pickup
            email, phone, method = self._contact(first, surname, area_code, authorized)
            details = family_records.AdultDetails(
                first_name=first,
                last_name=surname,
                relationship=spanish_word if spanish else english,
                email=email,
                phone=phone,
                preferred_contact=method,
                language=Language.ES if spanish else Language.EN,
                authorized_pickup=authorized,
            )
            adults.append((slot, details))
        return FamilyPlan(last, spanish, adults)

    def draw_child(self, spanish: bool, room: Room) -> ChildPlan:
        rng = self.rng
        firsts = ES_FIRST if spanish else EN_FIRST
        first, middle = rng.sample(firsts[rng.randrange(2) :: 2], 2)
        born = _day_between(rng, room.born_from, room.born_until)
        subsidy_id = f"TX-{rng.randrange(10**8):08d}" if rng.random() < 0.8 else None
        # Enrolled at 12 weeks at the earliest, and before 2026 so it is active today.
        starts = max(born + timedelta(weeks=12), date(2023, 8, 1))
        starts_on = _day_between(rng, starts, LAST_START)
        return ChildPlan(first, middle, born, subsidy_id, starts_on, rng.choice(WEEKDAYS))

    # --- creating, through the services ---------------------------------------------------

    async def _child(self, plan: ChildPlan, last: str, room: Room, family_id: UUID | None) -> Child:
        """Register the child (in a new family named after it, or a sibling's) and enroll."""
        child = await people.create_child(
            self.admin,
            people.NewChild(
                site_id=room.site.id,
                family_id=family_id,
                first_name=plan.first,
                middle_name=plan.middle,
                last_name=last,
                date_of_birth=plan.born,
                state_subsidy_id=plan.subsidy_id,
            ),
            self.now,
        )
        await enrollments.enroll_child(
            self.admin,
            enrollments.NewEnrollment(
                child_id=child.id,
                classroom_id=room.classroom.id,
                starts_on=plan.starts_on,
                ends_on=None,
                weekdays=[int(day) for day in plan.weekdays],
            ),
        )
        return child

    async def _adults(self, family_id: UUID, plan: FamilyPlan) -> None:
        for slot, details in plan.adults:
            if slot is None:
                await family_records.add_contact(self.admin, family_id, details, self.secret)
                continue
            adult = await family_records.add_guardian(
                self.admin, family_id, slot, details, self.secret
            )
            if slot is GuardianSlot.A:
                self.guardian_a[str(family_id)] = adult.id

    async def rooms(self, area_code: str, young: Room, old: Room) -> list[UUID]:
        """Fill a site's two rooms; some children of the younger room have an older
        sibling in the other. Returns the site's families in the order created."""
        families: list[UUID] = []
        for i in range(CHILDREN_PER_ROOM):
            plan = self.draw_family(area_code)
            kid = await self._child(self.draw_child(plan.spanish, young), plan.last, young, None)
            family_id = UUID(str(kid.family_id))
            await self._adults(family_id, plan)
            families.append(family_id)
            if i < SIBLING_PAIRS_PER_SITE:  # the older child is a sibling
                sibling = self.draw_child(plan.spanish, old)
                await self._child(sibling, plan.last, old, family_id)
                continue
            plan = self.draw_family(area_code)
            kid = await self._child(self.draw_child(plan.spanish, old), plan.last, old, None)
            family_id = UUID(str(kid.family_id))
            await self._adults(family_id, plan)
            families.append(family_id)
        return families

    async def carpool(self, families: list[UUID]) -> UUID:
        """Guardian A of one family may also collect a neighbour family's children."""
        giver, taker = self.rng.sample(families, 2)
        adult_id = self.guardian_a[str(giver)]
        await shared_pickups.link_shared_pickup(self.admin, adult_id, taker)
        return adult_id
