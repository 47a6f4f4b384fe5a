"""DataLoaders, one set per operation, so lists cost a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from uuid import UUID

from strawberry.dataloader import DataLoader

from auth.principals import Principal
from models.org import Classroom
from models.people import Enrollment, FamilyAdult
from services import enrollments


async def _classrooms_by_site(site_ids: Sequence[UUID]) -> list[list[Classroom]]:
    grouped: dict[str, list[Classroom]] = defaultdict(list)
    for classroom in await Classroom.filter(site_id__in=list(site_ids)).order_by("name"):
        grouped[str(classroom.site_id)].append(classroom)
    return [grouped[str(site_id)] for site_id in site_ids]


async def _adults_by_family(family_ids: Sequence[UUID]) -> list[list[FamilyAdult]]:
    grouped: dict[str, list[FamilyAdult]] = defaultdict(list)
    adults = await FamilyAdult.filter(family_id__in=list(family_ids))
    # Guardian A, then B, then contacts by name (databases disagree on where NULLs sort).
    adults.sort(key=lambda a: (a.guardian_slot or "~", a.last_name, a.first_name))
    for adult in adults:
        grouped[str(adult.family_id)].append(adult)
    return [grouped[str(family_id)] for family_id in family_ids]


class Loaders:
    """Loaders key by IDs the caller already reached through a scoped service query."""

    def __init__(self) -> None:
        self.classrooms_by_site = DataLoader(load_fn=_classrooms_by_site)
        self.adults_by_family = DataLoader(load_fn=_adults_by_family)
        self._enrollments_by_child: DataLoader[UUID, list[Enrollment]] | None = None

    def enrollments_by_child(self, principal: Principal) -> DataLoader[UUID, list[Enrollment]]:
        """Scoped by the service to the caller's sites; one principal per set of loaders."""
        if self._enrollments_by_child is None:
            load = partial(enrollments.enrollments_of, principal)
            self._enrollments_by_child = DataLoader(load_fn=load)
        return self._enrollments_by_child
