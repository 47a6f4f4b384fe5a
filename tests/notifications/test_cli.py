"""``playroll worker``, the console backend, and the delivery settings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from integrations.console import ConsoleTransport
from integrations.email import SmtpTransport
from integrations.sms import HttpSmsTransport
from jobs.transports import build_transports
from models.notifications import DeliveryStatus, Notification
from models.people import ContactMethod, Language
from server import cli
from server.settings import Settings
from tests.clock import FrozenClock
from tests.conftest import TEST_SECRET
from tests.notifications.conftest import enqueue_pin, guardian, worker

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def _settings(**values: Any) -> Settings:
    return Settings(secret_key=SecretStr(TEST_SECRET), _env_file=None, **values)  # type: ignore[call-arg]


async def test_worker_once_delivers_what_is_due_and_exits(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    adult = await guardian(language=Language.ES)
    # The CLI runs on the machine's clock: queued long ago, it is due whatever that says.
    queued = await enqueue_pin(adult, "482913", now=LONG_AGO)
    # The same settings `playroll serve` reads: the environment (and no stray .env).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLAYROLL_DATABASE_URL", database_url)
    monkeypatch.setenv("PLAYROLL_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("PLAYROLL_DEBUG", "1")

    # asyncio.run inside, so it gets a thread (and event loop) of its own.
    assert await asyncio.to_thread(cli.main, ["worker", "--once"]) == 0

    out = capsys.readouterr().out
    assert f"----- EMAIL {queued.id} -----" in out
    assert "To: ana@example.test" in out
    assert "Subject: Su PIN de Playroll para Sunrise North" in out
    assert "482913" in out
    assert "sent 1, retry later 0, failed 0" in out
    row = await Notification.get(id=queued.id)
    assert row.status is DeliveryStatus.SENT
    assert row.secret_params is None


async def test_console_backend_hides_bodies_outside_debug(
    clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    transports = build_transports(_settings(debug=False))
    adult = await guardian(channel=ContactMethod.SMS)
    queued = await enqueue_pin(adult, "482913")
    assert (await worker(transports, clock).run_once()).sent == 1

    out = capsys.readouterr().out
    assert f"----- SMS {queued.id} -----" in out
    assert "To: +15555550123" in out
    assert "482913" not in out
    assert "body withheld" in out


def test_console_is_the_default_for_both_channels() -> None:
    transports = build_transports(_settings(debug=True))
    assert all(isinstance(t, ConsoleTransport) for t in transports.values())
    assert all(t.show_body for t in transports.values())  # type: ignore[attr-defined]


async def test_configured_backends_are_built_from_settings() -> None:
    settings = _settings(
        email_backend="smtp",
        smtp_host="smtp.example.org",
        smtp_username="playroll",
        smtp_password="pw",
        email_from="Playroll <no-reply@example.org>",
        sms_backend="http",
        sms_url="https://sms.example.org/v1/messages",
        sms_token="tok",
    )
    transports = build_transports(settings)
    email, sms = transports[ContactMethod.EMAIL], transports[ContactMethod.SMS]
    assert isinstance(email, SmtpTransport)
    assert (email.config.host, email.config.port, email.config.start_tls) == (
        "smtp.example.org",
        None,
        True,
    )
    assert email.config.password == "pw"
    assert "pw" not in repr(email.config)
    assert isinstance(sms, HttpSmsTransport)
    await sms.aclose()


@pytest.mark.parametrize(
    "values",
    [
        {"email_backend": "smtp", "email_from": "no-reply@example.org"},
        {"email_backend": "smtp", "smtp_host": "smtp.example.org"},
        {"email_backend": "smtp", "smtp_host": "smtp.example.org", "email_from": "Playroll"},
        {"smtp_starttls": True, "smtp_use_tls": True},
        {"smtp_username": "playroll"},
        {"sms_backend": "http", "sms_url": "https://sms.example.org/send"},
        {"sms_backend": "http", "sms_url": "http://sms.example.org/send", "sms_token": "t"},
        {"email_backend": "carrier-pigeon"},
        {"notification_max_attempts": 0},
        {"notification_destination_hourly_cap": 0},
        {"worker_poll_seconds": 0},
    ],
)
def test_incomplete_delivery_settings_are_refused(values: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _settings(**values)


def test_implicit_tls_alone_turns_starttls_off() -> None:
    settings = _settings(
        email_backend="smtp",
        smtp_host="smtp.example.org",
        email_from="no-reply@example.org",
        smtp_use_tls=True,
    )
    assert (settings.smtp_use_tls, settings.smtp_starttls) == (True, False)


def test_a_loopback_sms_provider_may_use_plain_http() -> None:
    settings = _settings(sms_backend="http", sms_url="http://127.0.0.1:9000/send", sms_token="t")
    assert settings.sms_url == "http://127.0.0.1:9000/send"


async def test_serve_delivers_in_process_on_the_embedded_default(
    settings: Settings, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    from server.app import create_app

    assert _settings(database_url="sqlite://playroll.db").runs_jobs_in_process
    assert not _settings(database_url="postgres://db/playroll").runs_jobs_in_process
    adult = await guardian()
    queued = await enqueue_pin(adult, "482913", now=clock.now())
    in_process = settings.model_copy(update={"jobs_in_process": True, "worker_poll_seconds": 0.05})
    app = create_app(in_process, clock=clock, manage_database=False)
    async with app.router.lifespan_context(app), asyncio.timeout(5):
        # Polling on purpose: the worker task changes the row, there is nothing to await.
        while (await Notification.get(id=queued.id)).status is not DeliveryStatus.SENT:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    assert f"----- EMAIL {queued.id} -----" in capsys.readouterr().out
