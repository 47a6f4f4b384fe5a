"""``playroll create-agency``: the first start of a real agency, run as the operator would.

The command runs in a child process against a temporary SQLite file, like
tests/cli/test_errors.py, and the test reads what it wrote with plain sqlite3.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli.test_errors import assert_explained, playroll

BASE_URL = "https://playroll.example.org"


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "PLAYROLL_DATABASE_URL": f"sqlite:///{tmp_path}/first.db",
        "PLAYROLL_BASE_URL": BASE_URL,
    }


def _rows(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "first.db") as db:
        return db.execute(sql).fetchall()


def test_create_agency_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = playroll(
        "create-agency", "--name", "Sunny Days", "--admin-email", "dir@example.org",
        cwd=tmp_path, **_env(tmp_path),
    )  # fmt: skip
    assert_explained(result, "run `playroll migrate` first")
    assert "created agency" not in result.stdout


def test_create_agency_prints_a_one_time_link_and_queues_it(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert playroll("migrate", cwd=tmp_path, **env).returncode == 0
    result = playroll(
        "create-agency", "--name", "Sunny Days", "--admin-email", " Dir@Example.org ",
        "--timezone", "America/Chicago", cwd=tmp_path, **env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    links = [line.strip() for line in result.stdout.splitlines() if BASE_URL in line]
    assert len(links) == 1
    assert links[0].startswith(f"{BASE_URL}/staff/set-password?token=")
    token = links[0].split("token=")[1]
    assert _rows(tmp_path, "SELECT name, timezone FROM agency") == [
        ("Sunny Days", "America/Chicago")
    ]
    assert _rows(tmp_path, "SELECT email, is_agency_admin, is_active FROM staff_user") == [
        ("dir@example.org", 1, 1)
    ]
    # Queued by email too, sealed; the database keeps no token and no password.
    queued = _rows(tmp_path, "SELECT template, destination, secret_params FROM notification")
    assert [(t, d) for t, d, _ in queued] == [("staff_invitation", "dir@example.org")]
    dump = "\n".join(sqlite3.connect(tmp_path / "first.db").iterdump())
    assert token not in dump
    # The admin has a staff PIN from the start.
    assert _rows(tmp_path, "SELECT count(*) FROM pin_credential WHERE staff_id IS NOT NULL") == [
        (1,)
    ]


def test_a_second_admin_with_the_same_email_is_refused(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert playroll("migrate", cwd=tmp_path, **env).returncode == 0
    first = playroll(
        "create-agency", "--name", "Sunny Days", "--admin-email", "dir@example.org",
        cwd=tmp_path, **env,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    again = playroll(
        "create-agency", "--name", "Other", "--admin-email", "DIR@example.org",
        cwd=tmp_path, **env,
    )  # fmt: skip
    assert_explained(again, "already exists", "dir@example.org")
    assert _rows(tmp_path, "SELECT name FROM agency") == [("Sunny Days",)]


def test_bad_input_names_the_option_and_writes_nothing(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert playroll("migrate", cwd=tmp_path, **env).returncode == 0
    zone = playroll(
        "create-agency", "--name", "Sunny", "--admin-email", "dir@example.org",
        "--timezone", "Mars/Olympus_Mons", cwd=tmp_path, **env,
    )  # fmt: skip
    assert_explained(zone, "--timezone")
    email = playroll(
        "create-agency", "--name", "Sunny", "--admin-email", "not-an-email",
        cwd=tmp_path, **env,
    )  # fmt: skip
    assert_explained(email, "--admin-email")
    assert _rows(tmp_path, "SELECT count(*) FROM agency") == [(0,)]


def test_no_password_is_taken_on_the_command_line(tmp_path: Path) -> None:
    result = playroll(
        "create-agency", "--name", "Sunny", "--admin-email", "dir@example.org",
        "--password", "hunter2hunter2", cwd=tmp_path, **_env(tmp_path),
    )  # fmt: skip
    assert result.returncode != 0
    assert "unrecognized arguments: --password" in result.stderr
