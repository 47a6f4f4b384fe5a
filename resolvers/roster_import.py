"""Importing a roster CSV. Thin calls."""

from __future__ import annotations

from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome
from services import roster_import
from services.roster_import import RosterReport


async def import_roster(info: Info, site_id: str, csv: str, dry_run: bool) -> Outcome[RosterReport]:
    ctx = info.context
    site = object_id(site_id, "Site")
    return await outcome(
        roster_import.import_roster(
            ctx.staff, site, csv, dry_run=dry_run, secret=ctx.settings.secret, now=ctx.now()
        )
    )
