"""``python -m bench.reports``: the attendance report of a 200-child site over a month.

Issue 15's goal: such a report is built in under 10 s on the project's two-core machine,
off the event loop. Prints the time to read the month and to draw the PDF and the CSV,
wall and CPU, with the goal beside the total and a met / not met verdict.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api import migrate

from bench.report_month import CHILDREN, MONTH_START, write_month
from models.people import Language
from server.db import open_database, tortoise_config
from services import report_csv, report_data, report_pdf
from services.report_data import Scope
from services.report_document import Paper
from tests import factories as make

GOAL_SECONDS = 10.0


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class Stopwatch:
    """Wall and CPU time of one step, printed when it ends."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.wall = 0.0

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self._wall
        cpu = time.process_time() - self._cpu
        say(f"  {self.label:<20} {self.wall:6.2f} s wall  {cpu:6.2f} s CPU")


async def run(database_url: str) -> bool:
    await migrate(config=tortoise_config(database_url))
    await Tortoise.close_connections()
    async with open_database(database_url):
        agency = await make.agency("Report Bench")
        site = await make.site(agency, name="Report Bench Site")
        teacher = await make.staff(agency, sites=[site])
        await write_month(site, teacher.id)
        say(f"attendance report, {CHILDREN} children, {MONTH_START:%B %Y}")
        end = date(MONTH_START.year, MONTH_START.month, 31)
        with Stopwatch("read the month") as read:
            data = await report_data.build(Scope(site, site.name), MONTH_START, end)
        with Stopwatch("draw the PDF (A4)") as drawn:
            pdf = await asyncio.to_thread(report_pdf.render, data, Language.EN, Paper.A4)
        with Stopwatch("write the CSV"):
            await asyncio.to_thread(report_csv.render, data)
        total = read.wall + drawn.wall
        verdict = "met" if total < GOAL_SECONDS else "NOT MET"
        say(f"  read + PDF: {total:.2f} s (goal < {GOAL_SECONDS:.0f} s): {verdict}")
        say(f"  PDF: {len(pdf) / 1024:.0f} KiB")
        return total < GOAL_SECONDS


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    parser.add_argument("--database-url", help="default: a throwaway SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = args.database_url or f"sqlite://{Path(workdir) / 'bench-reports.db'}"
        return 0 if asyncio.run(run(url)) else 1


if __name__ == "__main__":
    sys.exit(main())
