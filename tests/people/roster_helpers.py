"""Building roster CSV files for the import tests."""

from __future__ import annotations

import csv
import io
from typing import Any

from services.roster_csv import COLUMNS

IMPORT = """
mutation($i: ImportRosterInput!) {
  importRoster(input: $i) {
    dryRun rows written
    counts {
      childrenCreated childrenMatched familiesCreated familiesMatched
      adultsCreated adultsMatched enrollmentsCreated enrollmentsMatched
    }
    errors { field code message line column }
  }
}
"""


def row(**values: str) -> dict[str, str]:
    """A valid row (a child with guardian A), changed by ``values``."""
    base = dict.fromkeys(COLUMNS, "")
    base.update(
        child_first_name="Ava",
        child_last_name="Lopez",
        child_date_of_birth="2022-05-17",
        guardian_a_first_name="Maria",
        guardian_a_last_name="Lopez",
        guardian_a_email="maria.lopez@example.com",
        guardian_a_phone="(512) 555-0134",
        classroom="Butterflies",
        start_date="2026-09-01",
        weekdays="Mon-Fri",
    )
    base.update(values)
    return base


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] | list[str] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return out.getvalue()


def variables(site_id: object, text: str, *, dry_run: bool = False) -> dict[str, Any]:
    return {"i": {"siteId": str(site_id), "csv": text, "dryRun": dry_run}}


def many_rows(count: int) -> list[dict[str, str]]:
    """``count`` children in ``count // 2`` families of two siblings, each with a
    guardian B and a pickup."""
    rows = []
    for i in range(count):
        family = i // 2
        rows.append(
            row(
                child_first_name=f"Kid{i}",
                child_last_name=f"Family{family}",
                child_state_subsidy_id=f"SUB-{i:05d}",
                guardian_a_first_name="Pat",
                guardian_a_last_name=f"Family{family}",
                guardian_a_email=f"a{family}@example.com",
                guardian_a_phone=f"+1512555{family % 10000:04d}",
                guardian_b_first_name="Sam",
                guardian_b_last_name=f"Family{family}",
                guardian_b_email=f"b{family}@example.com",
                pickup_first_name="Grandma",
                pickup_last_name=f"Family{family}",
                pickup_phone="+15125550188",
            )
        )
    return rows
