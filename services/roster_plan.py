"""The plan of a roster import: which children, families, adults and enrollments exist
(found in a few bulk queries, not one per row) and which the import creates; then
writing them, audited record by record as the single-record services audit them.
services/roster_import.py runs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from uuid import UUID

from auth.keys import Keyring
from auth.principals import Principal
from models.org import Agency, Site
from models.people import Child, Enrollment, Family, FamilyAdult, GuardianSlot
from services import audit, enrollments, family_records, pins
from services.errors import DomainError
from services.family_records import FamilyRecordErrorCode
from services.roster_csv import RowError
from services.roster_rows import Row, child_key, name_match

# Values bound in one ``__in`` query: well under every database's parameter limit.
_BATCH = 500


@dataclass
class RosterCounts:
    children_created: int = 0
    children_matched: int = 0
    families_created: int = 0
    families_matched: int = 0
    adults_created: int = 0
    adults_matched: int = 0
    enrollments_created: int = 0
    enrollments_matched: int = 0


@dataclass(frozen=True)
class Auditor:
    principal: Principal
    on_behalf_of: tuple[str, str] | None

    def entry(self, action: str, agency_id: UUID | str, kind: str, target: Any, data: Any) -> Any:
        return audit.new_entry(
            self.principal,
            action,
            agency_id=agency_id,
            target_type=kind,
            target_id=target,
            on_behalf_of=self.on_behalf_of,
            data=data,
        )


def name_key(value: str) -> str:
    return " ".join(value.split()).lower()


def _batches(values: Iterable[Any]) -> list[list[Any]]:
    unique = list(dict.fromkeys(values))
    return [unique[i : i + _BATCH] for i in range(0, len(unique), _BATCH)]


def _adult_key(values: dict[str, object]) -> tuple[str, str]:
    return (name_key(str(values["first_name"])), name_key(str(values["last_name"])))


def _names(adult: FamilyAdult) -> dict[str, object]:
    return {"first_name": adult.first_name, "last_name": adult.last_name}


def _guardian_key(values: dict[str, object]) -> tuple[str, ...] | None:
    """Guardian A of a family: their name and a way to reach them (names alone are too
    common to join two families)."""
    reach = values.get("email") or values.get("phone")
    return (*_adult_key(values), str(reach)) if reach else None


@dataclass
class _Household:
    """A family the import puts children in: its guardian slots and adults by name, and
    which of them this import has counted already."""

    family_id: UUID | str
    slots: set[GuardianSlot] = field(default_factory=set)
    names: set[tuple[str, str]] = field(default_factory=set)
    counted: set[object] = field(default_factory=set)


@dataclass
class Plan:
    """What exists and what the import creates, found in a few bulk queries."""

    site: Site
    counts: RosterCounts = field(default_factory=RosterCounts)
    errors: list[RowError] = field(default_factory=list)
    children: dict[tuple[str, ...], Child] = field(default_factory=dict)
    enrolled: dict[str, list[Enrollment]] = field(default_factory=dict)
    households: dict[str, _Household] = field(default_factory=dict)
    by_guardian: dict[tuple[str, ...], str] = field(default_factory=dict)
    families: list[Family] = field(default_factory=list)
    new_children: list[Child] = field(default_factory=list)
    adults: list[FamilyAdult] = field(default_factory=list)
    new_enrollments: list[Enrollment] = field(default_factory=list)

    @classmethod
    async def build(cls, site: Site, rows: list[Row], *, lock: bool) -> Plan:
        plan = cls(site)
        await plan._find_children(rows, lock=lock)
        await plan._find_families(rows, lock=lock)
        for row in rows:
            plan._add(row)
        return plan

    async def _find_children(self, rows: list[Row], *, lock: bool) -> None:
        """The agency's children the rows name, and (locked) their enrollments."""
        agency = self.site.agency_id
        subsidy = [
            str(r.child["state_subsidy_id"]) for r in rows if r.child.get("state_subsidy_id")
        ]
        named = [r.child["date_of_birth"] for r in rows]
        found: list[Child] = []
        for batch in _batches(subsidy):
            found += await Child.filter(agency_id=agency, state_subsidy_id__in=batch)
        for batch in _batches(named):
            found += await Child.filter(agency_id=agency, date_of_birth__in=batch)
        for child in found:
            self.children[name_match(child.first_name, child.last_name, child.date_of_birth)] = (
                child
            )
            if child.state_subsidy_id:
                self.children[("subsidy", child.state_subsidy_id)] = child
        ids = [str(c.id) for c in found]
        for batch in _batches(ids):
            if lock:  # as enrollChild does: no other request adds an enrollment meanwhile
                await Child.select_for_update().filter(id__in=batch).values_list("id", flat=True)
            for enrollment in await Enrollment.filter(child_id__in=batch):
                self.enrolled.setdefault(str(enrollment.child_id), []).append(enrollment)

    def _match(self, row: Row) -> Child | None:
        subsidy = row.child.get("state_subsidy_id")
        if subsidy and ("subsidy", str(subsidy)) in self.children:
            return self.children[("subsidy", str(subsidy))]
        child = self.children.get(child_key({**row.child, "state_subsidy_id": None}))
        # A child known under another subsidy ID is another child.
        if child is not None and subsidy and child.state_subsidy_id not in (None, subsidy):
            return None
        return child

    async def _find_families(self, rows: list[Row], *, lock: bool) -> None:
        """Existing families: of matched children, or whose guardian A the rows name."""
        family_ids = {str(c.family_id) for c in (self._match(r) for r in rows) if c is not None}
        reach = {
            str(v) for r in rows for k in ("email", "phone") if (v := r.guardians[0][1].get(k))
        }
        for batch in _batches(reach):
            for column in ("email__in", "phone__in"):
                for adult in await FamilyAdult.filter(
                    family__agency_id=self.site.agency_id,
                    guardian_slot=GuardianSlot.A,
                    removed_at__isnull=True,
                    **{column: batch},
                ):
                    for value in (adult.email, adult.phone):
                        if value:
                            self.by_guardian[(*_adult_key(_names(adult)), value)] = str(
                                adult.family_id
                            )
                            family_ids.add(str(adult.family_id))
        for batch in _batches(family_ids):
            if lock:  # as addGuardian does: guardian slots are taken one request at a time
                await Family.select_for_update().filter(id__in=batch).values_list("id", flat=True)
            for family_id in batch:
                self.households[family_id] = _Household(family_id)
            for adult in await FamilyAdult.filter(family_id__in=batch, removed_at__isnull=True):
                home = self.households[str(adult.family_id)]
                if adult.guardian_slot is not None:
                    home.slots.add(GuardianSlot(adult.guardian_slot))
                home.names.add(_adult_key(_names(adult)))

    def _add(self, row: Row) -> None:
        """One row's family, adults, child and enrollment: matched or planned."""
        child = self._match(row)
        home = self._household(row, child)
        for slot, values in row.guardians:
            self._adult(home, ("slot", slot), values, slot)
        if row.pickup is not None:
            self._adult(home, _adult_key(row.pickup), row.pickup, None)
        if child is None:
            child = Child(
                agency_id=self.site.agency_id,
                family_id=home.family_id,
                site_id=self.site.id,
                **row.child,
            )
            self.new_children.append(child)
            self.counts.children_created += 1
        else:
            self.counts.children_matched += 1
        self._enroll(row, child)

    def _household(self, row: Row, child: Child | None) -> _Household:
        """The child's family; else guardian A's; else a new one named after the child."""
        key = _guardian_key(row.guardians[0][1])
        family_id = str(child.family_id) if child else self.by_guardian.get(key) if key else None
        if family_id is not None:
            home = self.households[family_id]
            if ("family",) not in home.counted:
                home.counted.add(("family",))
                self.counts.families_matched += 1
            return home
        family = Family(agency_id=self.site.agency_id, name=str(row.child["last_name"]))
        self.families.append(family)
        self.counts.families_created += 1
        home = self.households[str(family.id)] = _Household(str(family.id), counted={("family",)})
        if key:
            self.by_guardian[key] = str(family.id)
        return home

    def _adult(
        self, home: _Household, key: object, values: dict[str, object], slot: GuardianSlot | None
    ) -> None:
        """A guardian (by slot) or a pickup (by name) the family has, or a new one."""
        exists = slot in home.slots if slot else key in home.names
        if not exists:
            adult = FamilyAdult(family_id=home.family_id, guardian_slot=slot, **values)
            self.adults.append(adult)
            self.counts.adults_created += 1
            home.names.add(_adult_key(values))
            if slot:
                home.slots.add(slot)
            home.counted.add(key)
        elif key not in home.counted:
            home.counted.add(key)
            self.counts.adults_matched += 1

    def _enroll(self, row: Row, child: Child) -> None:
        """Left alone when enrolled in that room on the start date; refused on any other
        overlap (one enrollment per child on any day)."""
        existing = self.enrolled.get(str(child.id), [])
        same = [e for e in existing if str(e.classroom_id) == str(row.classroom.id)]
        if enrollments.overlapping(same, row.starts_on, row.starts_on) is not None:
            self.counts.enrollments_matched += 1
            return
        clash = enrollments.overlapping(existing, row.starts_on, row.ends_on)
        if clash is not None:
            error = enrollments.overlap_error(clash, "startsOn")
            self.errors.append(RowError(row.line, "start_date", error))
            return
        self.new_enrollments.append(
            Enrollment(
                child_id=child.id,
                classroom_id=row.classroom.id,
                program_id=row.program.id if row.program else None,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                weekdays=row.weekdays,
            )
        )
        self.counts.enrollments_created += 1

    async def write(self, auditor: Auditor, secret: Keyring, rows: int) -> None:
        """Everything planned, in a handful of statements, audited record by record."""
        await Family.bulk_create(self.families)
        await Child.bulk_create(self.new_children)
        await FamilyAdult.bulk_create(self.adults)
        await Enrollment.bulk_create(self.new_enrollments)
        try:
            agency = await Agency.get(id=self.site.agency_id)
            await pins.issue_many(secret, agency, [a.id for a in self.adults])
        except pins.PinSpaceExhausted:
            raise DomainError(
                FamilyRecordErrorCode.PIN_SPACE_EXHAUSTED,
                "No free PIN is left at this length; ask an admin to choose longer PINs.",
            ) from None
        await audit.record_all(self._audit_entries(auditor, rows))

    def _audit_entries(self, auditor: Auditor, rows: int) -> list[Any]:
        agency = self.site.agency_id
        entries = [
            auditor.entry(
                "people.create_family",
                agency,
                "family",
                f.id,
                {"before": None, "after": {"name": f.name}},
            )
            for f in self.families
        ]
        entries += [
            auditor.entry(
                "people.create_child",
                agency,
                "child",
                c.id,
                {"before": None, "after": _child_values(c)},
            )
            for c in self.new_children
        ]
        entries += [
            auditor.entry(
                "people.add_guardian" if a.guardian_slot else "people.add_contact",
                agency,
                "family_adult",
                a.id,
                {
                    "family_id": str(a.family_id),
                    "slot": a.guardian_slot.value if a.guardian_slot else None,
                    "after": family_records.record_values(a),
                },
            )
            for a in self.adults
        ]
        entries += [
            auditor.entry(
                "people.enroll_child",
                agency,
                "child",
                e.child_id,
                {"before": None, "after": enrollments.snapshot(e)},
            )
            for e in self.new_enrollments
        ]
        summary = {"rows": rows, "counts": asdict(self.counts)}
        entries.append(auditor.entry("people.import_roster", agency, "site", self.site.id, summary))
        return entries


def _child_values(child: Child) -> dict[str, object]:
    """As createChild audits a child."""
    return {
        "first_name": child.first_name,
        "middle_name": child.middle_name,
        "last_name": child.last_name,
        "date_of_birth": child.date_of_birth.isoformat(),
        "state_subsidy_id": child.state_subsidy_id,
        "family_id": str(child.family_id),
        "site_id": str(child.site_id),
    }
