"""``playroll import-roster FILE --site ID [--dry-run]``: a roster CSV imported from the
machine, as importRoster does over the API (README, Agency setup). The operator of the
machine acts for the site's agency and is audited as the operator, as create-agency is."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from server.commands import CommandError, load_settings, require_schema, say
from server.settings import Settings


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise CommandError(f"cannot read {path}: {e.strerror or e}") from e


def _site_id(value: str) -> Any:
    from services.errors import NotFound
    from services.ids import parse_id

    try:
        return parse_id(value, "Site")
    except NotFound:
        raise CommandError(f"--site: {value!r} is not a site ID") from None


async def _import(settings: Settings, args: argparse.Namespace, data: bytes) -> Any:
    from tortoise.context import TortoiseContext
    from tqdm import tqdm

    from server.db import tortoise_config
    from services import roster_import
    from services.clock import SystemClock
    from services.errors import DomainError, NotFound
    from services.roster_csv import read_table

    site_id = _site_id(args.site)
    total = len(read_table(data).records)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(settings.database_url))
        with tqdm(total=total, unit="row", desc="checking") as bar:
            try:
                return await roster_import.import_roster_as_operator(
                    site_id,
                    data,
                    dry_run=args.dry_run,
                    secret=settings.secret,
                    now=SystemClock().now(),
                    progress=bar.update,
                )
            except NotFound:
                raise CommandError(f"--site: no site {site_id}: nothing was imported") from None
            except DomainError as e:
                raise CommandError(f"{e.message} Nothing was imported.") from e


def _where(line: int | None, column: str | None) -> str:
    place = f"line {line}" if line is not None else "file"
    return f"{place}, {column}" if column else place


def cmd_import_roster(args: argparse.Namespace) -> int:
    settings = load_settings()
    require_schema(settings)
    data = _read(args.file)
    report = asyncio.run(_import(settings, args, data))
    if report.errors:
        for failure in report.errors:
            error = failure.error
            say(f"{_where(failure.line, failure.column)}: {error.code.value}: {error.message}")
        raise CommandError(
            f"{len(report.errors)} problem(s) in {args.file}: nothing was imported", 1
        )
    counts = report.counts
    assert counts is not None  # a report without errors always counts
    verb = "would create" if report.dry_run else "created"
    done = "checked (dry run, nothing written)" if report.dry_run else "imported"
    say(
        f"{report.rows} row(s) {done}: "
        f"{verb} {counts.children_created} children, {counts.families_created} families, "
        f"{counts.adults_created} adults, {counts.enrollments_created} enrollments; "
        f"matched {counts.children_matched} children, {counts.families_matched} families, "
        f"{counts.adults_matched} adults, {counts.enrollments_matched} enrollments"
    )
    return 0


def add_parser(commands: Any) -> None:
    """Register ``import-roster`` on the ``playroll`` command."""
    roster = commands.add_parser(
        "import-roster",
        help="import children, families and enrollments at a site from a CSV file",
    )
    roster.add_argument("file", type=Path, help="the CSV file (columns: README, Agency setup)")
    roster.add_argument("--site", required=True, help="the ID of the site")
    roster.add_argument(
        "--dry-run", action="store_true", help="check every row and count; write nothing"
    )
    roster.set_defaults(func=cmd_import_roster)
