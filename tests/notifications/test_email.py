"""Email through a real SMTP server (aiosmtpd on a free port), in the guardian's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr

from integrations.email import SmtpConfig, SmtpTransport
from models.notifications import DeliveryAttempt, DeliveryStatus, Notification
from models.people import FamilyAdult, Language
from server.settings import Settings
from services import messages, notifications
from tests.clock import FrozenClock
from tests.conftest import TEST_SECRET
from tests.notifications.conftest import SECRET, START, guardian, worker
from tests.notifications.servers import free_port, make_certificate, smtp_server

FROM = "Playroll <no-reply@playroll.example>"


def smtp(port: int) -> SmtpTransport:
    """Plain SMTP to the local test server (TLS has its own test below)."""
    return SmtpTransport(
        SmtpConfig(host="127.0.0.1", port=port, from_address=FROM, start_tls=False, timeout=5)
    )


async def invite(adult: FamilyAdult, base_url: str, code: str) -> Notification:
    recipient = notifications.recipient_for(adult)
    assert recipient is not None
    family = await adult.family
    return await notifications.enqueue(
        SECRET,
        agency_id=family.agency_id,
        recipient=recipient,
        template="invitation",
        dedupe_key=f"invite:{adult.id}",
        params={
            "guardian_first_name": adult.first_name,
            "agency_name": "Sunrise Early Learning",
            "link": messages.link(base_url, "/join"),
        },
        secret_params={"code": code},
        now=START,
    )


async def test_invitations_arrive_in_each_guardians_language(clock: FrozenClock) -> None:
    settings = Settings(
        secret_key=SecretStr(TEST_SECRET),
        base_url="https://families.example.org/playroll/",
        _env_file=None,  # type: ignore[call-arg]
    )
    ana = await guardian(language=Language.EN, first_name="Ana", email="ana@example.test")
    luz = await guardian(language=Language.ES, first_name="Luz", email="luz@example.test")
    to_ana = await invite(ana, settings.base_url, "ANA-7K2P")
    to_luz = await invite(luz, settings.base_url, "LUZ-9QXM")
    clock.set(to_luz.next_attempt_at)

    async with smtp_server() as server:
        drained = await worker(smtp(server.port), clock).run_once()

    assert drained.sent == 2
    mails = {m["To"]: m for m in server.mailbox.received}
    assert set(mails) == {"ana@example.test", "luz@example.test"}
    english, spanish = mails["ana@example.test"], mails["luz@example.test"]
    assert english["Subject"] == "Sunrise Early Learning invites you to Playroll"
    assert spanish["Subject"] == "Sunrise Early Learning le invita a Playroll"
    assert english["Content-Language"] == "en"
    assert spanish["Content-Language"] == "es"
    assert english["From"] == FROM
    assert english["Auto-Submitted"] == "auto-generated"
    english_body = english.get_body().get_content()  # type: ignore[union-attr]
    spanish_body = spanish.get_body().get_content()  # type: ignore[union-attr]
    assert "Hello Ana," in english_body
    assert "enter this invitation code: ANA-7K2P" in english_body
    assert "Hola, Luz:" in spanish_body
    assert "escriba este código de invitación: LUZ-9QXM" in spanish_body
    # Links hang under the configured base URL, nothing else.
    for body in (english_body, spanish_body):
        assert "https://families.example.org/playroll/join" in body
        assert body.count("http") == 1

    # The Message-ID is the notification's, so a resent copy is the same mail.
    assert english["Message-ID"] == f"<{to_ana.id}@playroll.example>"
    row = await Notification.get(id=to_ana.id)
    assert row.status is DeliveryStatus.SENT
    assert row.provider_message_id == english["Message-ID"]
    assert row.secret_params is None


async def test_a_refused_address_fails_for_good(clock: FrozenClock) -> None:
    adult = await guardian(email="gone@example.test")
    queued = await invite(adult, "https://families.example.org", "GONE-1")
    clock.set(queued.next_attempt_at)

    async with smtp_server() as server:
        server.mailbox.refuse["gone@example.test"] = "550 5.1.1 No such user"
        assert (await worker(smtp(server.port), clock).run_once()).failed == 1

    row = await Notification.get(id=queued.id)
    assert row.status is DeliveryStatus.FAILED
    assert "550" in row.last_error
    assert "No such user" in row.last_error
    assert row.secret_params is None
    [attempt] = await DeliveryAttempt.filter(notification_id=queued.id)
    assert not attempt.succeeded
    assert "550" in attempt.error


async def test_a_busy_server_or_none_at_all_means_later(clock: FrozenClock) -> None:
    adult = await guardian(email="busy@example.test")
    queued = await invite(adult, "https://families.example.org", "BUSY-1")
    clock.set(queued.next_attempt_at)

    async with smtp_server() as server:
        server.mailbox.refuse["busy@example.test"] = "451 4.3.0 Try again later"
        assert (await worker(smtp(server.port), clock).run_once()).retried == 1
    assert "451" in (await Notification.get(id=queued.id)).last_error

    clock.advance(timedelta(hours=1))
    assert (await worker(smtp(free_port()), clock).run_once()).retried == 1
    row = await Notification.get(id=queued.id)
    assert row.status is DeliveryStatus.PENDING
    assert row.secret_params is not None

    clock.advance(timedelta(hours=1))
    async with smtp_server() as server:
        assert (await worker(smtp(server.port), clock).run_once()).sent == 1
    assert len(server.mailbox.received) == 1


@pytest.mark.parametrize("mode", ["starttls", "implicit_tls"])
async def test_tls_and_login(clock: FrozenClock, mode: str) -> None:
    cert = make_certificate()
    adult = await guardian(email="tls@example.test")
    queued = await invite(adult, "https://families.example.org", "TLS-1")
    clock.set(queued.next_attempt_at)
    tls = {"starttls": cert.server} if mode == "starttls" else {"implicit_tls": cert.server}

    async with smtp_server(credentials=("playroll", "s3cret"), **tls) as server:
        config = SmtpConfig(
            host="127.0.0.1",
            port=server.port,
            from_address=FROM,
            username="playroll",
            password="s3cret",
            start_tls=mode == "starttls",
            use_tls=mode == "implicit_tls",
            timeout=5,
        )
        transport = SmtpTransport(config, tls_context=cert.client)
        assert (await worker(transport, clock).run_once()).sent == 1

    assert server.mailbox.logins == ["playroll"]
    assert [m["To"] for m in server.mailbox.received] == ["tls@example.test"]


async def test_wrong_smtp_password_waits_for_the_fix(clock: FrozenClock) -> None:
    cert = make_certificate()
    queued = await invite(await guardian(), "https://families.example.org", "PW-1")
    clock.set(queued.next_attempt_at)
    async with smtp_server(credentials=("playroll", "right"), starttls=cert.server) as server:
        config = SmtpConfig(
            host="127.0.0.1",
            port=server.port,
            from_address=FROM,
            username="playroll",
            password="wrong",
            timeout=5,
        )
        transport = SmtpTransport(config, tls_context=cert.client)
        assert (await worker(transport, clock).run_once()).retried == 1
    assert "535" in (await Notification.get(id=queued.id)).last_error
