"""SMS through a real HTTP provider on a free port: the request, retries, refusals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from integrations.sms import HttpSmsTransport
from integrations.transport import OutgoingMessage, TransientFailure
from models.notifications import DeliveryAttempt, DeliveryStatus, Notification
from models.people import ContactMethod, Language
from tests.clock import FrozenClock
from tests.notifications.conftest import enqueue_pin, guardian, worker
from tests.notifications.servers import SmsProvider, free_port, sms_provider


@pytest.fixture
async def provider() -> AsyncIterator[SmsProvider]:
    async with sms_provider() as running:
        yield running


async def _queued(language: Language = Language.ES) -> Notification:
    adult = await guardian(channel=ContactMethod.SMS, language=language, phone="+15555550123")
    return await enqueue_pin(adult, "482913")


def _sms(provider: SmsProvider, *, timeout: float = 10.0) -> HttpSmsTransport:
    return HttpSmsTransport(provider.url, provider.token, timeout=timeout)


async def test_the_provider_gets_json_the_token_and_an_idempotency_key(
    provider: SmsProvider, clock: FrozenClock
) -> None:
    queued = await _queued()
    sending = worker(_sms(provider), clock)
    try:
        assert (await sending.run_once()).sent == 1
    finally:
        await sending.aclose()

    [request] = provider.requests
    assert request.headers["authorization"] == "Bearer test-sms-token"
    assert request.headers["idempotency-key"] == str(queued.id)
    assert request.headers["content-type"] == "application/json"
    assert request.json == {
        "to": "+15555550123",
        "body": "Playroll: Hola Ana, su PIN para registrar entradas y salidas en Sunrise North "
        "es 482913. No lo comparta.",
    }
    row = await Notification.get(id=queued.id)
    assert row.status is DeliveryStatus.SENT
    assert row.provider_message_id == "SM1"
    assert row.secret_params is None


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_a_transient_failure_is_retried_with_backoff_then_delivered_once(
    provider: SmsProvider, clock: FrozenClock, status: int
) -> None:
    queued = await _queued(Language.EN)
    provider.answers = [status]
    sending = worker(_sms(provider), clock, retry_base=timedelta(seconds=30))
    try:
        assert (await sending.run_once()).retried == 1
        row = await Notification.get(id=queued.id)
        assert row.status is DeliveryStatus.PENDING
        assert row.last_error.startswith(f"HTTP {status}")
        wait = row.next_attempt_at - clock.now()
        assert timedelta(seconds=15) <= wait <= timedelta(seconds=30)

        # Nothing is due before the backoff has passed.
        assert (await sending.run_once()).total == 0
        clock.advance(wait)
        assert (await sending.run_once()).sent == 1
    finally:
        await sending.aclose()

    # Two requests, one text: both carried the same key, so a provider that got the first
    # after all would drop the second.
    assert [r.headers["idempotency-key"] for r in provider.requests] == [str(queued.id)] * 2
    row = await Notification.get(id=queued.id)
    assert (row.status, row.attempts, row.provider_message_id) == (DeliveryStatus.SENT, 2, "SM2")
    attempts = await DeliveryAttempt.filter(notification_id=queued.id).order_by("id")
    assert [a.succeeded for a in attempts] == [False, True]
    assert attempts[0].error.startswith(f"HTTP {status}")


async def test_a_refused_request_fails_for_good(provider: SmsProvider, clock: FrozenClock) -> None:
    queued = await _queued()
    provider.answers = [400]
    sending = worker(_sms(provider), clock)
    try:
        assert (await sending.run_once()).failed == 1
        clock.advance(timedelta(days=1))
        assert (await sending.run_once()).total == 0
    finally:
        await sending.aclose()

    assert len(provider.requests) == 1
    row = await Notification.get(id=queued.id)
    assert row.status is DeliveryStatus.FAILED
    assert row.last_error == "HTTP 400 Bad Request"
    assert row.secret_params is None
    [attempt] = await DeliveryAttempt.filter(notification_id=queued.id)
    assert (attempt.succeeded, attempt.error) == (False, "HTTP 400 Bad Request")


async def test_a_slow_provider_times_out_as_transient(provider: SmsProvider) -> None:
    provider.hold = asyncio.Event()
    queued = await _queued()
    transport = _sms(provider, timeout=0.2)
    try:
        with pytest.raises(TransientFailure, match="Timeout"):
            await transport.send(_message(queued))
    finally:
        await transport.aclose()


async def test_no_provider_listening_is_transient() -> None:
    queued = await _queued()
    transport = HttpSmsTransport(f"http://127.0.0.1:{free_port()}/v1/messages", "token")
    try:
        with pytest.raises(TransientFailure, match="ConnectError"):
            await transport.send(_message(queued))
    finally:
        await transport.aclose()


def _message(queued: Notification) -> OutgoingMessage:
    return OutgoingMessage(id=queued.id, destination=queued.destination, subject="", body="hi")
