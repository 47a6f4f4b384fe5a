from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import IsAgencyAdmin, IsSiteAdmin
from models import org as org_models
from resolvers import site_settings as settings_resolvers
from resolvers.context import Info
from schema.errors import UserError, code_enum, payload_errors
from schema.org import ContactlessMode, Site
from services import site_settings
from services.site_settings import SiteSettingsChanges


@strawberry.input(description="Only the fields given change.")
class UpdateSiteSettingsInput:
    site_id: strawberry.ID
    staff_requires_pin: bool | None = None
    allow_past_day_edits: bool | None = None
    contactless_enabled: bool | None = None
    contactless_mode: ContactlessMode | None = None
    pad_lock_failures: int | None = strawberry.field(default=None, description="3 to 20.")
    pad_lock_window_minutes: int | None = strawberry.field(default=None, description="1 to 60.")
    pad_lock_minutes: int | None = strawberry.field(default=None, description="1 to 60.")
    site_daily_pin_failures: int | None = strawberry.field(default=None, description="5 to 100.")
    end_of_day: datetime.time | None = strawberry.field(
        default=None,
        description=(
            "Site-local, 12:00 to 23:59 in whole minutes: children still signed in then are "
            "signed out by the system (AUTO_CHECKOUT) for staff to review."
        ),
    )
    rotate_static_code: bool = strawberry.field(
        default=False, description="Retire the printed static QR code; print the new one."
    )

    def to_changes(self) -> SiteSettingsChanges:
        mode = self.contactless_mode
        return SiteSettingsChanges(
            staff_requires_pin=self.staff_requires_pin,
            allow_past_day_edits=self.allow_past_day_edits,
            contactless_enabled=self.contactless_enabled,
            contactless_mode=org_models.ContactlessMode(mode.value) if mode else None,
            pad_lock_failures=self.pad_lock_failures,
            pad_lock_window_minutes=self.pad_lock_window_minutes,
            pad_lock_minutes=self.pad_lock_minutes,
            site_daily_pin_failures=self.site_daily_pin_failures,
            end_of_day=self.end_of_day,
        )


@strawberry.input
class UpdateAgencySettingsInput:
    pin_length: int | None = strawberry.field(
        default=None, description="Digits in new PINs: 6, or 4 or 5 with a warning."
    )
    submission_requires_verification: bool | None = strawberry.field(
        default=None,
        description=(
            "Parents prove who they are with a code by email or SMS before they open an "
            "attendance submission link."
        ),
    )


if TYPE_CHECKING:
    SettingsErrorCode = StrEnum
else:
    SettingsErrorCode = code_enum(
        "SettingsErrorCode",
        site_settings.SettingsErrorCode,
    )


@strawberry.type
class SettingsError(UserError):
    code: SettingsErrorCode


@strawberry.type
class UpdateSiteSettingsPayload:
    site: Site | None
    errors: list[SettingsError]


@strawberry.type
class UpdateAgencySettingsPayload:
    pin_length: int | None = strawberry.field(description="Digits in PINs issued from now on.")
    submission_requires_verification: bool | None
    warnings: list[str] = strawberry.field(description="Shown when PINs are shorter than 6.")
    errors: list[SettingsError]


@strawberry.type
class SettingsMutation:
    @strawberry.mutation(
        permission_classes=[IsSiteAdmin],
        description="Change the settings of one of your sites. Audited, before and after.",
    )
    async def update_site_settings(
        self, info: Info, input: UpdateSiteSettingsInput
    ) -> UpdateSiteSettingsPayload:
        result = await settings_resolvers.update_site_settings(
            info, str(input.site_id), input.to_changes(), input.rotate_static_code
        )
        site = Site.from_model(result.value) if result.value else None
        return UpdateSiteSettingsPayload(
            site=site, errors=payload_errors(result, SettingsError, SettingsErrorCode)
        )

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Agency-wide settings. Existing PINs keep their length.",
    )
    async def update_agency_settings(
        self, info: Info, input: UpdateAgencySettingsInput
    ) -> UpdateAgencySettingsPayload:
        result = await settings_resolvers.update_agency_settings(
            info, input.pin_length, input.submission_requires_verification
        )
        settings = result.value
        return UpdateAgencySettingsPayload(
            pin_length=settings.pin_length if settings else None,
            submission_requires_verification=(
                settings.submission_requires_verification if settings else None
            ),
            warnings=settings.warnings if settings else [],
            errors=payload_errors(result, SettingsError, SettingsErrorCode),
        )
