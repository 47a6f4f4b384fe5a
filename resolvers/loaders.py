"""DataLoaders, one set per operation, so lists cost a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from uuid import UUID

from strawberry.dataloader import DataLoader

from auth.principals import Principal
from models.org import Classroom, Program
from models.people import Enrollment, FamilyAdult, SharedPickup
from services import activities, attachments, enrollments


async def _classrooms_by_site(keys: Sequence[tuple[UUID, bool]]) -> list[list[Classroom]]:
    """Keyed by (site ID, include archived): archived classrooms only when asked for."""
    grouped: dict[str, list[Classroom]] = defaultdict(list)
    for classroom in await Classroom.filter(site_id__in=list({k[0] for k in keys})).order_by(
        "name"
    ):
        grouped[str(classroom.site_id)].append(classroom)
    return [
        [c for c in grouped[str(site_id)] if archived or c.archived_at is None]
        for site_id, archived in keys
    ]


async def _programs_by_id(program_ids: Sequence[UUID]) -> list[Program | None]:
    found = {str(p.id): p for p in await Program.filter(id__in=list(program_ids))}
    return [found.get(str(program_id)) for program_id in program_ids]


async def _adults_by_family(family_ids: Sequence[UUID]) -> list[list[FamilyAdult]]:
    grouped: dict[str, list[FamilyAdult]] = defaultdict(list)
    # Removed contacts stay in the table for history, not in the family.
    adults = await FamilyAdult.filter(family_id__in=list(family_ids), removed_at__isnull=True)
    # Guardian A, then B, then contacts by name (databases disagree on where NULLs sort).
    adults.sort(key=lambda a: (a.guardian_slot or "~", a.last_name, a.first_name))
    for adult in adults:
        grouped[str(adult.family_id)].append(adult)
    return [grouped[str(family_id)] for family_id in family_ids]


async def _shared_pickups_by_family(family_ids: Sequence[UUID]) -> list[list[FamilyAdult]]:
    """Adults of other families authorized to pick up each family's children."""
    grouped: dict[str, list[FamilyAdult]] = defaultdict(list)
    links = await SharedPickup.filter(
        family_id__in=list(family_ids), adult__removed_at__isnull=True
    ).select_related("adult")
    links.sort(key=lambda link: (link.adult.last_name, link.adult.first_name))
    for link in links:
        grouped[str(link.family_id)].append(link.adult)
    return [grouped[str(family_id)] for family_id in family_ids]


class Loaders:
    """Loaders key by IDs the caller already reached through a scoped service query."""

    def __init__(self) -> None:
        self.classrooms_by_site = DataLoader(load_fn=_classrooms_by_site)
        self.adults_by_family = DataLoader(load_fn=_adults_by_family)
        self.programs_by_id = DataLoader(load_fn=_programs_by_id)
        self.shared_pickups_by_family = DataLoader(load_fn=_shared_pickups_by_family)
        # Keyed by (child ID, day) of roster rows the caller already reached.
        self.activities_by_child_day = DataLoader(load_fn=activities.activities_of)
        # Messages the caller already read through a scoped query.
        self.attachments_by_message = DataLoader(load_fn=attachments.of_messages)
        self._enrollments_by_child: DataLoader[UUID, list[Enrollment]] | None = None

    def enrollments_by_child(self, principal: Principal) -> DataLoader[UUID, list[Enrollment]]:
        """Scoped by the service to the caller's sites; one principal per set of loaders."""
        if self._enrollments_by_child is None:
            load = partial(enrollments.enrollments_of, principal)
            self._enrollments_by_child = DataLoader(load_fn=load)
        return self._enrollments_by_child
