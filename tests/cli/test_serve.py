"""What ``playroll serve`` tells the person who started it."""

from __future__ import annotations

import pytest

from server.cli import _announce
from server.settings import Settings


def test_serve_announces_where_it_listens_and_the_demo_logins_in_debug(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(debug=True, _env_file=None)  # type: ignore[call-arg]

    _announce(settings, "127.0.0.1", 8123, demo=True)

    out = capsys.readouterr().out
    assert "http://127.0.0.1:8123/graphql" in out
    assert "GraphiQL at http://127.0.0.1:8123/graphql" in out
    assert "teacher@example.com / playroll-teacher / 246810" in out
    assert "delivered by this process" in out


def test_outside_debug_there_is_no_graphiql_and_no_demo_logins(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(
        secret_key="a-production-secret-key-of-enough-length",  # type: ignore[arg-type]
        database_url="postgres://playroll:pw@db:5432/playroll",
        _env_file=None,  # type: ignore[call-arg]
    )

    _announce(settings, "0.0.0.0", 8000, demo=False)

    out = capsys.readouterr().out
    assert "GraphiQL" not in out
    assert "example.com" not in out
    assert "postgres://playroll:***@db:5432/playroll" in out
    assert "`playroll worker`" in out
