"""Waitlist positions: per desired site and program, among the applications still waiting
(SUBMITTED or WAITLISTED), by best priority rank (a flagged one first), then date of
application, then number."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from models.waitlist import Application, ApplicationSite, ApplicationStatus

WAITING = (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED)
_NO_PRIORITY = 10_000


def _order(application: Application) -> tuple[int, datetime, int]:
    rank = application.priority_rank
    return (_NO_PRIORITY if rank is None else rank, application.submitted_at, application.number)


async def positions_of(applications: list[Application]) -> dict[UUID, dict[UUID, int]]:
    """Application id -> site id -> position (1 first) for each waiting application given."""
    waiting = [a for a in applications if a.status in WAITING]
    if not waiting:
        return {}
    agency_ids = {a.agency_id for a in waiting}  # type: ignore[attr-defined]
    site_links = await ApplicationSite.filter(application_id__in=[a.id for a in waiting])
    site_ids = {link.site_id for link in site_links}  # type: ignore[attr-defined]
    # Every waiting application competing for those sites: one read, ordered in memory.
    rivals = await Application.filter(
        agency_id__in=list(agency_ids), status__in=list(WAITING), sites__site_id__in=list(site_ids)
    ).distinct()
    rival_links = await ApplicationSite.filter(
        application_id__in=[r.id for r in rivals], site_id__in=list(site_ids)
    )
    queues: dict[tuple[UUID, UUID | None], list[Application]] = {}
    by_id = {r.id: r for r in rivals}
    for link in rival_links:
        rival = by_id[link.application_id]  # type: ignore[attr-defined]
        key = (link.site_id, rival.program_id)  # type: ignore[attr-defined]
        queues.setdefault(key, []).append(rival)
    wanted = {a.id for a in waiting}
    found: dict[UUID, dict[UUID, int]] = {}
    for (site_id, _program), queue in queues.items():
        for place, rival in enumerate(sorted(queue, key=_order), start=1):
            if rival.id in wanted:
                found.setdefault(rival.id, {})[site_id] = place
    return found
