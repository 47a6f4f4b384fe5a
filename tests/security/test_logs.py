"""Logs: no secret in any line at any level; refusals once, quietly; faults with a trace."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from server.settings import Settings
from services import access
from tests import factories as make
from tests.conftest import LiveServer
from tests.graphql import GraphQLClient
from tests.world import World
from tests.wsclient import WSClient

PASSWORD = "correct horse battery staple"
WRONG_PASSWORD = "tr0ub4dor and 3 more words"
PIN = "480193"
CODE = "7K3Q-M9XD-2PRZ"
LOGIN = "mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token errors { code } } }"
IDENTIFY = "mutation($i: KioskPinInput!) { kioskIdentify(input: $i) { errors { code } } }"
REGISTER = """
mutation($i: RegisterFamilyAccountInput!) { registerFamilyAccount(input: $i) { errors { code } } }
"""


def _leaks(secret: str, text: str) -> bool:
    """True when the secret, or any 8 characters of it in a row, appear in the text."""
    if len(secret) <= 8:
        return secret in text
    return any(secret[i : i + 8] in text for i in range(len(secret) - 7))


def _everything(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in records)


async def _post(
    client: httpx.AsyncClient, url: str, query: str, variables: Any, token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        url, json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    return body


async def test_no_token_pin_code_or_password_reaches_a_log_line_at_debug(
    live: LiveServer, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await make.staff(world.agency, email="nora@example.test", password=PASSWORD)
    _, kiosk_token = await make.kiosk(world.site, paired_by=world.admin)
    # Everything at DEBUG, the web server's own loggers included (as `--log-level debug`).
    caplog.set_level(logging.DEBUG)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "websockets.client"):
        caplog.set_level(logging.DEBUG, logger=name)

    async with httpx.AsyncClient() as client:
        url = live.http_url
        wrong = await _post(
            client, url, LOGIN, {"i": {"email": "nora@example.test", "password": WRONG_PASSWORD}}
        )
        assert wrong["data"]["staffLogin"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
        right = await _post(
            client, url, LOGIN, {"i": {"email": "nora@example.test", "password": PASSWORD}}
        )
        staff_token = right["data"]["staffLogin"]["token"]
        assert staff_token
        # The token in a header, a PIN at a pad, a code with a password in a registration.
        sites = await _post(client, url, "{ sites { name } }", None, token=staff_token)
        assert sites["data"] == {"sites": []}
        pin = await _post(client, url, IDENTIFY, {"i": {"pin": PIN}}, token=kiosk_token)
        assert pin["data"]["kioskIdentify"]["errors"] == [{"code": "INVALID_PIN"}]
        code = await _post(
            client,
            url,
            REGISTER,
            {"i": {"code": CODE, "login": "maria@example.test", "password": PASSWORD}},
        )
        assert code["data"]["registerFamilyAccount"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    # The token in a WebSocket's connection_init frame.
    socket = await WSClient.connect(live.ws_url, staff_token)
    await socket.socket.close()

    logged = _everything(caplog.records)
    # Frames are not logged at all: a truncated one could show part of a secret.
    assert not [r for r in caplog.records if r.msg in ("< %s", "> %s")]
    for secret in (PASSWORD, WRONG_PASSWORD, PIN, CODE, staff_token, kiosk_token):
        assert not _leaks(secret, logged), secret


async def test_refusals_are_logged_once_quietly(
    gql: GraphQLClient, world: World, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    kiosk_only = "mutation { kioskLock { errors { code } } }"
    cases = [
        ("{ sites { name } }", None, "UNAUTHENTICATED"),
        (kiosk_only, await make.token_for(world.teacher), "FORBIDDEN"),
        ("{ nothingHere }", None, "BAD_USER_INPUT"),
    ]
    for query, token, code in cases:
        caplog.clear()
        result = await gql.execute(query, token=token)
        assert result.codes == [code]
        [record] = [r for r in caplog.records if r.levelno >= logging.INFO]
        assert record.levelno in (logging.INFO, logging.WARNING)
        assert record.exc_info is None
        assert code in record.getMessage()

    for attempt in range(settings.login_ip_max_failures):
        await gql.execute(
            LOGIN, {"i": {"email": f"u{attempt}@example.test", "password": "guess"}}, ip="10.8.8.8"
        )
    caplog.clear()
    throttled = await gql.execute(
        LOGIN, {"i": {"email": "x@example.test", "password": "guess"}}, ip="10.8.8.8"
    )
    assert throttled.data["staffLogin"]["errors"] == [{"code": "TOO_MANY_ATTEMPTS"}]  # type: ignore[index]
    [record] = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None


async def test_a_real_fault_is_logged_once_with_its_traceback(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(access, "staff_login", broken)
    caplog.set_level(logging.DEBUG)
    result = await gql.execute(LOGIN, {"i": {"email": "x@example.test", "password": "guess"}})
    assert result.codes == ["INTERNAL_SERVER_ERROR"]
    [record] = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert "the database fell over" in _everything([record])
