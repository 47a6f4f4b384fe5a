from __future__ import annotations

from models.org import Site
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome
from services import site_settings
from services.site_settings import AgencySettings, SiteSettingsChanges


async def update_site_settings(
    info: Info, site_id: str, changes: SiteSettingsChanges, rotate: bool
) -> Outcome[Site]:
    return await outcome(
        site_settings.update_site_settings(
            info.context.staff, object_id(site_id, "Site"), changes, rotate=rotate
        )
    )


async def update_agency_settings(
    info: Info, pin_length: int | None, submission_requires_verification: bool | None
) -> Outcome[AgencySettings]:
    return await outcome(
        site_settings.update_agency_settings(
            info.context.staff,
            pin_length=pin_length,
            submission_requires_verification=submission_requires_verification,
        )
    )
