"""Settings site admins and agency admins change: a site's pad and contactless rules, and
the agency's PIN length. Every change is audited with the values before and after."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import time
from enum import StrEnum
from uuid import UUID

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import Grant, Principal, StaffPrincipal, is_staff
from models.org import Agency, ContactlessMode, Site
from services import audit, end_of_day, org, pins
from services.errors import DomainError, DomainErrors, NotFound


class SettingsErrorCode(StrEnum):
    """Rule failures of site and agency settings."""

    OUT_OF_RANGE = "OUT_OF_RANGE"
    INVALID_PIN_LENGTH = "INVALID_PIN_LENGTH"


# (lowest, highest, input field). Below the floor a pad locks on ordinary typos; above
# the ceiling a guesser gets too many tries before anyone notices.
RANGES: dict[str, tuple[int, int, str]] = {
    "pad_lock_failures": (3, 20, "padLockFailures"),
    "pad_lock_window_minutes": (1, 60, "padLockWindowMinutes"),
    "pad_lock_minutes": (1, 60, "padLockMinutes"),
    "site_daily_pin_failures": (5, 100, "siteDailyPinFailures"),
}


@dataclass(frozen=True)
class SiteSettingsChanges:
    """Only the fields given (not None) change."""

    staff_requires_pin: bool | None = None
    allow_past_day_edits: bool | None = None
    contactless_enabled: bool | None = None
    contactless_mode: ContactlessMode | None = None
    pad_lock_failures: int | None = None
    pad_lock_window_minutes: int | None = None
    pad_lock_minutes: int | None = None
    site_daily_pin_failures: int | None = None
    # Site-local; children still signed in then are signed out by the system.
    end_of_day: time | None = None


@dataclass(frozen=True)
class AgencySettings:
    pin_length: int
    submission_requires_verification: bool
    warnings: list[str]


def administered_sites(principal: Principal) -> QuerySet[Site]:
    """Site admins run the sites they work at; agency admins every site of the agency."""
    if is_staff(principal) and principal.has(Grant.SITE_ADMIN):
        return org.readable_sites(principal)
    return Site.filter(id__in=[])


def _checked(changes: SiteSettingsChanges) -> dict[str, object]:
    """Numbers stay within RANGES; every field out of range is reported at once."""
    given = {f.name: getattr(changes, f.name) for f in fields(changes)}
    updates = {name: value for name, value in given.items() if value is not None}
    errors = []
    for name, (low, high, field_name) in RANGES.items():
        value = updates.get(name)
        if isinstance(value, int) and not low <= value <= high:
            errors.append(
                DomainError(
                    SettingsErrorCode.OUT_OF_RANGE,
                    f"Choose a number from {low} to {high}.",
                    field_name,
                )
            )
    closing = updates.pop("end_of_day", None)
    if isinstance(closing, time):
        if closing < end_of_day.EARLIEST or closing.second or closing.microsecond:
            errors.append(
                DomainError(
                    SettingsErrorCode.OUT_OF_RANGE,
                    "Choose a time from 12:00 to 23:59, in whole minutes.",
                    "endOfDay",
                )
            )
        updates["end_of_day_minutes"] = end_of_day.as_minutes(closing)
    if errors:
        raise DomainErrors(errors)
    return updates


async def update_site_settings(
    principal: StaffPrincipal, site_id: UUID, changes: SiteSettingsChanges, *, rotate: bool
) -> Site:
    """Change the given settings of one of the admin's sites. ``rotate`` retires the
    printed static contactless code by moving the site to the next code version."""
    async with in_transaction():
        site = await administered_sites(principal).filter(id=site_id).select_for_update().first()
        if site is None:
            raise NotFound("Site")
        updates = {
            name: value for name, value in _checked(changes).items() if getattr(site, name) != value
        }
        if rotate:
            updates["contactless_version"] = site.contactless_version + 1
        if not updates:
            return site
        before = {name: _plain(getattr(site, name)) for name in updates}
        site.update_from_dict(updates)
        await site.save(update_fields=list(updates))
        await audit.record(
            principal,
            "site.update_settings",
            agency_id=site.agency_id,
            target_type="site",
            target_id=site.id,
            data={"before": before, "after": {k: _plain(v) for k, v in updates.items()}},
        )
    return site


async def update_agency_settings(
    principal: StaffPrincipal,
    *,
    pin_length: int | None,
    submission_requires_verification: bool | None = None,
) -> AgencySettings:
    """PINs are 4, 5 or 6 digits; the new length applies to PINs issued from now on."""
    if pin_length is not None and pin_length not in pins.ALLOWED_LENGTHS:
        raise DomainError(
            SettingsErrorCode.INVALID_PIN_LENGTH, "PINs are 4, 5 or 6 digits.", "pinLength"
        )
    async with in_transaction():
        agency = await Agency.select_for_update().get(id=principal.agency_id)
        wanted = {
            "pin_length": pin_length,
            "submission_requires_verification": submission_requires_verification,
        }
        changed = {
            name: value
            for name, value in wanted.items()
            if value is not None and value != getattr(agency, name)
        }
        if changed:
            before = {name: getattr(agency, name) for name in changed}
            for name, value in changed.items():
                setattr(agency, name, value)
            await agency.save(update_fields=list(changed))
            await audit.record(
                principal,
                "agency.update_settings",
                agency_id=agency.id,
                target_type="agency",
                target_id=agency.id,
                data={"before": before, "after": changed},
            )
    warning = pins.short_pin_warning(agency.pin_length)
    return AgencySettings(
        agency.pin_length, agency.submission_requires_verification, [warning] if warning else []
    )


def _plain(value: object) -> object:
    return value.value if isinstance(value, ContactlessMode) else value
