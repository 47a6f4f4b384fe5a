"""The ``playroll`` command explains operator mistakes in a line or two, without a traceback.

These run the real command in a child process: it opens its own database connections
and event loop, which must not mix with the test session's.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SECRET = "cli-test-secret-key-that-is-long-enough-0123"


def playroll(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PLAYROLL_")}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=cwd,
        env={**clean, "PLAYROLL_SECRET_KEY": SECRET, "PYTHONPATH": str(Path.cwd()), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_explained(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("playroll: ")]
    assert 1 <= len(lines) <= 2, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _missing_database_cases() -> list[tuple[str, str]]:
    cases = [("sqlite:///no/such/folder/playroll.db", "does not exist")]
    # The PostgreSQL pass also proves the wording for a database that is not there.
    if url := os.environ.get("PLAYROLL_TEST_DATABASE_URL"):
        parts = urlsplit(url)
        cases.append((urlunsplit(parts._replace(path="/playroll_no_such_db")), "createdb"))
    return cases


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("mysql://root@db:3306/playroll", "PLAYROLL_DATABASE_URL"),
        ("playroll.db", "PLAYROLL_DATABASE_URL"),
        ("postgres://postgres@127.0.0.1:%d/playroll" % _closed_port(), "cannot reach"),
        ("postgres://postgres@no-such-host.invalid:5432/playroll", "cannot resolve"),
    ],
)
def test_a_bad_or_unreachable_database_url_is_explained(
    tmp_path: Path, url: str, hint: str
) -> None:
    result = playroll("migrate", cwd=tmp_path, PLAYROLL_DATABASE_URL=url)
    assert_explained(result, hint)


@pytest.mark.parametrize(("url", "hint"), _missing_database_cases())
def test_a_missing_database_is_explained(tmp_path: Path, url: str, hint: str) -> None:
    assert_explained(playroll("migrate", cwd=tmp_path, PLAYROLL_DATABASE_URL=url), hint)


def test_a_password_in_the_url_is_never_printed(tmp_path: Path) -> None:
    url = "postgres://playroll:hunter2-secret@127.0.0.1:%d/playroll" % _closed_port()
    result = playroll("migrate", cwd=tmp_path, PLAYROLL_DATABASE_URL=url)
    assert_explained(result, "cannot reach")
    assert "hunter2-secret" not in result.stdout + result.stderr


def test_seed_demo_before_migrate_says_to_migrate(tmp_path: Path) -> None:
    result = playroll("seed-demo", cwd=tmp_path, PLAYROLL_DEBUG="1")
    assert_explained(result, "run `playroll migrate` first")
    assert "demo data" not in result.stdout


def test_serve_without_migrations_refuses_and_says_how(tmp_path: Path) -> None:
    result = playroll("serve", "--port", str(_closed_port()), cwd=tmp_path)
    assert_explained(result, "playroll serve --migrate")


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"PLAYROLL_SESSION_LIFETIME_HOURS": "twelve"}, "PLAYROLL_SESSION_LIFETIME_HOURS"),
        ({"PLAYROLL_SECRET_KEY": "short"}, "PLAYROLL_SECRET_KEY"),
        ({"PLAYROLL_EMAIL_BACKEND": "smtp"}, "PLAYROLL_SMTP_HOST"),
    ],
)
def test_settings_errors_name_the_variable(
    tmp_path: Path, env: dict[str, str], variable: str
) -> None:
    assert_explained(playroll("migrate", cwd=tmp_path, **env), variable)


def test_debug_flag_adds_the_traceback(tmp_path: Path) -> None:
    result = playroll(
        "--debug", "migrate", cwd=tmp_path, PLAYROLL_DATABASE_URL="sqlite:///no/such/x.db"
    )
    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert "playroll: the folder of the SQLite file" in result.stderr


def test_migrate_names_what_it_applied_then_that_nothing_is_left(tmp_path: Path) -> None:
    first = playroll("migrate", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    applied = [line.split()[-1] for line in first.stdout.splitlines() if "applied 0" in line]
    assert applied[0] == "0001_initial"
    expected = sorted(p.stem for p in Path("migrations").glob("0*.py"))
    assert applied == expected

    again = playroll("migrate", cwd=tmp_path)
    assert again.returncode == 0
    assert "nothing to apply" in again.stdout
    assert "applied 0" not in again.stdout
