"""Importing a roster CSV: children, their families (guardian A and B, a pickup) and their
enrollments at one site, all or nothing, in one transaction.

Every row is checked first (services/roster_csv.py, roster_rows.py: the single-record
services' rules); any failure answers every row's errors and writes nothing. Importing a
file again creates nothing twice: a child is the same child by state subsidy ID, else by
first and last name (letter case aside) and date of birth, within the agency; a new
child's family is an existing one when its guardian A has the same name and email or
phone; adults of a family are matched by name; an enrollment in the same classroom that
covers the start date is left alone, any other overlap is refused. Matching is done with
a few bulk queries, not one per row, so a 1,000-row file is one request. Every record
created is audited as the single-record services audit it, plus one summary entry; every
adult created gets a PIN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.transactions import in_transaction

from auth.keys import Keyring
from auth.principals import Anonymous, StaffPrincipal
from models.org import Classroom, Program, Site
from services import org, sites
from services.agencies import OPERATOR
from services.errors import DomainError, NotFound
from services.roster_csv import RosterErrorCode, RowError, read_table
from services.roster_plan import Auditor, Plan, RosterCounts, name_key
from services.roster_rows import Lookups, parse_rows


@dataclass(frozen=True)
class RosterReport:
    """What an import did (``written``) or would do (a dry run), or why it did nothing."""

    dry_run: bool
    rows: int
    written: bool
    counts: RosterCounts | None
    errors: list[RowError]


async def import_roster(
    principal: StaffPrincipal,
    site_id: UUID,
    data: str | bytes,
    *,
    dry_run: bool,
    secret: Keyring,
    now: datetime,
) -> RosterReport:
    """An agency admin imports at a site of their agency (others: NOT_FOUND)."""
    site = await sites.administered_sites(principal).get_or_none(id=site_id)
    if site is None:
        raise NotFound("Site")
    return await _import(site, data, Auditor(principal, None), dry_run, secret, now)


async def import_roster_as_operator(
    site_id: UUID,
    data: str | bytes,
    *,
    dry_run: bool,
    secret: Keyring,
    now: datetime,
    progress: Callable[[int], object] | None = None,
) -> RosterReport:
    """``playroll import-roster``: the operator of the machine acts for the site's agency,
    audited as the operator, as ``create-agency`` is."""
    site = await Site.get_or_none(id=site_id)
    if site is None:
        raise NotFound("Site")
    auditor = Auditor(Anonymous(), OPERATOR)
    return await _import(site, data, auditor, dry_run, secret, now, progress)


async def _import(
    site: Site,
    data: str | bytes,
    auditor: Auditor,
    dry_run: bool,
    secret: Keyring,
    now: datetime,
    progress: Callable[[int], object] | None = None,
) -> RosterReport:
    """Check every row, match what exists, then write everything or nothing."""
    table = read_table(data)
    if site.archived_at is not None:
        message = "This site is archived: it takes no new children."
        table.errors.append(
            RowError(None, None, DomainError(RosterErrorCode.SITE_ARCHIVED, message, "siteId"))
        )
    if table.errors:
        return RosterReport(dry_run, len(table.records), False, None, table.errors)
    # Checked before the transaction opens: no lock is held while rows are read.
    rows, errors = parse_rows(table, await _lookups(site, now), progress)
    async with in_transaction():
        plan = await Plan.build(site, rows, lock=not dry_run)
        errors += plan.errors
        if errors:
            errors.sort(key=lambda e: (e.line or 0, e.column or ""))
            return RosterReport(dry_run, len(table.records), False, None, errors)
        if not dry_run:
            await plan.write(auditor, secret, len(table.records))
    return RosterReport(dry_run, len(table.records), not dry_run, plan.counts, [])


async def _lookups(site: Site, now: datetime) -> Lookups:
    """The site's classrooms and the agency's programs by name; open ones win a name."""

    def open_last(found: list[Any]) -> list[Any]:
        return sorted(found, key=lambda thing: thing.archived_at is None)

    rooms = open_last(await Classroom.filter(site_id=site.id))
    programs = open_last(await Program.filter(agency_id=site.agency_id))
    return Lookups(
        today=org.local_date(site, now),
        classrooms={name_key(r.name): r for r in rooms},
        programs={name_key(p.name): p for p in programs},
    )
