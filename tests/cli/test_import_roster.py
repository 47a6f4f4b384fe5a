"""``playroll import-roster``: a roster CSV imported from the machine, run as the operator
would, in a child process against a temporary SQLite file (like tests/staff/test_cli.py).
The site is written with plain sqlite3: no command creates one (admins do, over the API)."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from tests.cli.test_errors import assert_explained, playroll
from tests.people.roster_helpers import csv_text, row


def _env(tmp_path: Path) -> dict[str, str]:
    return {"PLAYROLL_DATABASE_URL": f"sqlite:///{tmp_path}/roster.db"}


def _rows(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "roster.db") as db:
        return db.execute(sql).fetchall()


def _agency_with_a_site(tmp_path: Path) -> str:
    env = _env(tmp_path)
    assert playroll("migrate", cwd=tmp_path, **env).returncode == 0
    created = playroll(
        "create-agency", "--name", "Sunny Days", "--admin-email", "dir@example.org",
        cwd=tmp_path, **env,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    site_id = str(uuid.uuid4())
    with sqlite3.connect(tmp_path / "roster.db") as db:
        (agency_id,) = db.execute("SELECT id FROM agency").fetchone()
        db.execute(
            "INSERT INTO site (id, name, timezone, staff_requires_pin, allow_past_day_edits, "
            "created_at, agency_id) VALUES (?, 'Main Street', 'America/Chicago', 0, 0, "
            "'2026-01-01 00:00:00', ?)",
            (site_id, agency_id),
        )
        db.execute(
            "INSERT INTO classroom (id, name, created_at, site_id) "
            "VALUES (?, 'Butterflies', '2026-01-01 00:00:00', ?)",
            (str(uuid.uuid4()), site_id),
        )
    return site_id


def _file(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "roster.csv"
    # As a spreadsheet saves "CSV UTF-8": with a byte order mark.
    path.write_bytes(csv_text(rows).encode("utf-8-sig"))
    return path


ROWS = [
    row(pickup_first_name="Rosa", pickup_last_name="Garcia", pickup_phone="512-555-0188"),
    row(child_first_name="Leo", child_date_of_birth="2023-09-30"),
]


def test_a_dry_run_then_an_import_then_the_same_file_again(tmp_path: Path) -> None:
    site_id = _agency_with_a_site(tmp_path)
    env = _env(tmp_path)
    path = _file(tmp_path, ROWS)
    dry = playroll("import-roster", str(path), "--site", site_id, "--dry-run", cwd=tmp_path, **env)
    assert dry.returncode == 0, dry.stderr
    assert "dry run" in dry.stdout
    assert "would create 2 children, 1 families, 2 adults, 2 enrollments" in dry.stdout
    assert _rows(tmp_path, "SELECT count(*) FROM child") == [(0,)]

    done = playroll("import-roster", str(path), "--site", site_id, cwd=tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert "created 2 children, 1 families, 2 adults, 2 enrollments" in done.stdout
    assert "checking" in done.stderr  # the progress bar
    assert _rows(tmp_path, "SELECT first_name FROM child ORDER BY first_name") == [
        ("Ava",),
        ("Leo",),
    ]
    assert _rows(tmp_path, "SELECT count(*) FROM pin_credential WHERE adult_id IS NOT NULL") == [
        (2,)
    ]
    # Audited as the operator of the machine, as create-agency is.
    actors = _rows(
        tmp_path,
        "SELECT DISTINCT actor_kind, actor_id FROM audit_entry WHERE action LIKE 'people.%'",
    )
    assert actors == [("OPERATOR", "playroll-cli")]

    again = playroll("import-roster", str(path), "--site", site_id, cwd=tmp_path, **env)
    assert again.returncode == 0, again.stderr
    assert "created 0 children, 0 families, 0 adults, 0 enrollments" in again.stdout
    assert "matched 2 children, 1 families, 2 adults, 2 enrollments" in again.stdout
    assert _rows(tmp_path, "SELECT count(*) FROM child") == [(2,)]


def test_bad_rows_sites_and_files_are_explained_and_nothing_is_written(tmp_path: Path) -> None:
    site_id = _agency_with_a_site(tmp_path)
    path = _file(tmp_path, [row(), row(child_first_name="Bo", classroom="Nowhere")])
    result = playroll("import-roster", str(path), "--site", site_id, cwd=tmp_path, **_env(tmp_path))
    assert_explained(result, "1 problem(s)", "nothing was imported")
    assert "line 3, classroom: UNKNOWN_CLASSROOM" in result.stdout
    assert _rows(tmp_path, "SELECT count(*) FROM child") == [(0,)]

    # An unknown site, a malformed site ID, a missing file: one line each, no traceback.
    env = _env(tmp_path)
    unknown = playroll("import-roster", str(path), "--site", str(uuid.uuid4()), cwd=tmp_path, **env)
    assert_explained(unknown, "--site", "no site")
    malformed = playroll("import-roster", str(path), "--site", "main", cwd=tmp_path, **env)
    assert_explained(malformed, "--site", "not a site ID")
    missing = playroll(
        "import-roster", "nope.csv", "--site", str(uuid.uuid4()), cwd=tmp_path, **env
    )
    assert_explained(missing, "cannot read nope.csv")
