"""Commands that change stored data outside any request: the first start of an agency,
and re-keying after a secret key rotation."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from server.commands import CommandError, load_settings, require_schema, run, say
from server.settings import Settings
from services.clock import Clock, SystemClock


async def _rotate_keys(settings: Settings) -> int:
    from tortoise.context import TortoiseContext
    from tqdm import tqdm

    from server.db import tortoise_config
    from services import key_rotation

    keyring = settings.secret
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(settings.database_url))
        if settings.secret_key_previous is None and not await key_rotation.needs_rotation(keyring):
            raise CommandError(
                "nothing to rotate: set PLAYROLL_SECRET_KEY_PREVIOUS to the old key "
                "and PLAYROLL_SECRET_KEY to the new one (README, Key rotation)"
            )
        with tqdm(total=await key_rotation.count(), unit="value", desc="re-keying") as bar:
            report = await key_rotation.rotate(keyring, progress=bar.update)
    pins, sealed = report.pins, report.sealed
    say(
        f"PINs: {pins.rekeyed} re-keyed, {pins.current} already current; "
        f"queued message secrets: {sealed.rekeyed} re-keyed, {sealed.current} already current"
    )
    if report.failed:
        problems = [
            f"{pins.unreadable} PINs and {sealed.unreadable} queued message secrets could not "
            "be read with any known key (is PLAYROLL_SECRET_KEY_PREVIOUS the old key?)"
        ]
        if pins.conflicts:
            problems.append(f"{pins.conflicts} PINs are held twice in their agency (re-PIN one)")
        raise CommandError(f"{'; '.join(problems)}; those were left unchanged", 1)
    return 0


def cmd_rotate_keys(args: argparse.Namespace) -> int:
    settings = load_settings()
    require_schema(settings)
    return asyncio.run(_rotate_keys(settings))


# Which option an input error of the first start names.
_AGENCY_OPTIONS = {
    "name": "--name",
    "email": "--admin-email",
    "timezone": "--timezone",
    "firstName": "--admin-first-name",
    "lastName": "--admin-last-name",
}


async def _create_agency(settings: Settings, args: argparse.Namespace, clock: Clock) -> Any:
    from tortoise.context import TortoiseContext

    from server.db import tortoise_config
    from services import agencies, staff
    from services.errors import DomainError, InvalidInput
    from services.staff_passwords import LinkPolicy

    links = LinkPolicy(
        settings.secret, settings.base_url, settings.notification_destination_hourly_cap
    )
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(settings.database_url))
        try:
            return await agencies.create_agency(
                args.name,
                args.admin_email,
                first_name=args.admin_first_name,
                last_name=args.admin_last_name,
                timezone=args.timezone,
                links=links,
                now=clock.now(),
            )
        except InvalidInput as e:
            raise CommandError(f"{_AGENCY_OPTIONS.get(e.field or '', 'input')}: {e}") from e
        except DomainError as e:
            if e.code is staff.StaffErrorCode.EMAIL_TAKEN:
                raise CommandError(
                    f"a staff account with the email {staff.checked_email(args.admin_email)} "
                    "already exists: nothing was created (that admin can reset their "
                    "password with requestStaffPasswordReset)"
                ) from e
            raise CommandError(e.message) from e


def cmd_create_agency(args: argparse.Namespace, clock: Clock | None = None) -> int:
    """``clock``: tests run the command at their frozen instant (the link's expiry)."""
    settings = load_settings()
    require_schema(settings)
    first = run(_create_agency(settings, args, clock or SystemClock()))
    say(f"created agency {first.agency.name!r} ({first.agency.id}), time zone {args.timezone}")
    say(
        f"agency admin {first.admin.email}: choose a password within 7 days at this "
        "one-time link (also queued by email):"
    )
    say(f"  {first.link}")
    return 0
