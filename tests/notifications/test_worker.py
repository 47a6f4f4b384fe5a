"""The worker: leases, exactly-once under racing workers, retries, wiping secrets, quiet logs."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta

import pytest

from auth.keys import Keyring
from integrations.transport import OutgoingMessage, PermanentFailure, TransientFailure
from jobs.worker import Outcome, backoff
from models.notifications import DeliveryAttempt, DeliveryStatus, Notification
from models.people import ContactMethod, Language
from services import notifications
from tests.clock import FrozenClock
from tests.notifications.conftest import Recorder, enqueue_pin, guardian, worker
from tests.waiting import eventually


class Failing:
    """Fails every send the same way, recording what it was given."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls: list[OutgoingMessage] = []

    async def send(self, message: OutgoingMessage) -> str | None:
        self.calls.append(message)
        raise self.error

    async def aclose(self) -> None:
        return None


async def test_sent_once_with_the_attempt_recorded_and_the_secret_wiped(
    clock: FrozenClock, recorder: Recorder
) -> None:
    queued = await enqueue_pin(await guardian(language=Language.ES))

    drained = await worker(recorder, clock).run_once()

    assert (drained.sent, drained.retried, drained.failed) == (1, 0, 0)
    [message] = recorder.sent
    assert message.id == queued.id
    assert "Su PIN" in message.body
    assert "482913" in message.body
    row = await Notification.get(id=queued.id)
    assert row.status is DeliveryStatus.SENT
    assert row.sent_at == clock.now()
    assert row.provider_message_id == f"fake-{queued.id}"
    assert row.secret_params is None
    assert row.claimed_until is None
    assert row.attempts == 1
    [attempt] = await DeliveryAttempt.filter(notification_id=queued.id)
    assert attempt.succeeded
    assert attempt.error == ""


async def test_a_sent_message_is_never_sent_again(clock: FrozenClock, recorder: Recorder) -> None:
    adult = await guardian()
    queued = await enqueue_pin(adult, key="pin:once")
    await worker(recorder, clock).run_once()

    clock.advance(timedelta(days=2))
    await worker(recorder, clock).run_once()
    # Queueing the same cause again is the same, already sent, message.
    assert (await enqueue_pin(adult, key="pin:once")).id == queued.id
    await worker(recorder, clock).run_once()

    assert len(recorder.sent) == 1


async def test_only_due_messages_go(clock: FrozenClock, recorder: Recorder) -> None:
    later = await enqueue_pin(await guardian(), now=clock.now() + timedelta(minutes=5))
    assert (await worker(recorder, clock).run_once()).total == 0
    clock.advance(timedelta(minutes=5))
    assert (await worker(recorder, clock).run_once()).sent == 1
    assert recorder.sent[0].id == later.id


async def test_racing_workers_send_each_message_exactly_once(clock: FrozenClock) -> None:
    adult = await guardian()
    queued = [await enqueue_pin(adult, key=f"race:{n}") for n in range(8)]
    other = await guardian(email="bea@example.test", first_name="Bea")
    queued += [await enqueue_pin(other, key=f"race-b:{n}") for n in range(8)]
    recorders = [Recorder() for _ in range(4)]

    results = await asyncio.gather(*(worker(r, clock).run_once() for r in recorders))

    sent = [m.id for r in recorders for m in r.sent]
    assert sorted(sent) == sorted(q.id for q in queued)
    assert sum(r.sent for r in results) == len(queued)
    assert await Notification.filter(status=DeliveryStatus.SENT, attempts=1).count() == len(queued)
    assert await DeliveryAttempt.all().count() == len(queued)


async def test_a_held_lease_keeps_other_workers_off(clock: FrozenClock, recorder: Recorder) -> None:
    queued = await enqueue_pin(await guardian())
    first = worker(recorder, clock, lease=timedelta(minutes=5))
    claimed = await first.claim_next(clock.now())
    assert claimed is not None
    assert claimed.id == queued.id

    # Within the lease nobody else may take it ...
    second = worker(recorder, clock, lease=timedelta(minutes=5))
    clock.advance(timedelta(minutes=4))
    assert await second.claim_next(clock.now()) is None

    # ... once it runs out (the first worker died mid-send), another worker delivers it.
    clock.advance(timedelta(minutes=2))
    assert (await second.run_once()).sent == 1
    row = await Notification.get(id=queued.id)
    assert row.status is DeliveryStatus.SENT
    assert row.attempts == 2

    # The first worker's late answer changes nothing.
    assert await first.deliver(claimed) is Outcome.SUPERSEDED
    assert [m.id for m in recorder.sent] == [queued.id, queued.id]
    assert (await Notification.get(id=queued.id)).attempts == 2


async def test_a_transient_failure_backs_off_then_delivers(clock: FrozenClock) -> None:
    queued = await enqueue_pin(await guardian())
    flaky = Failing(TransientFailure("HTTP 503 Service Unavailable"))

    drained = await worker(flaky, clock, retry_base=timedelta(seconds=30)).run_once()

    assert drained.retried == 1
    row = await Notification.get(id=queued.id)
    assert row.status is DeliveryStatus.PENDING
    assert row.last_error == "HTTP 503 Service Unavailable"
    assert row.secret_params is not None
    assert timedelta(seconds=15) <= row.next_attempt_at - clock.now() <= timedelta(seconds=30)
    assert row.claimed_until is None

    # Not before its time, even for a fresh worker.
    recorder = Recorder()
    assert (await worker(recorder, clock).run_once()).total == 0
    clock.advance(timedelta(seconds=30))
    assert (await worker(recorder, clock).run_once()).sent == 1
    assert len(recorder.sent) == 1
    row = await Notification.get(id=queued.id)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 2, "")
    assert [
        a.succeeded for a in await DeliveryAttempt.filter(notification_id=queued.id).order_by("id")
    ] == [False, True]


async def test_transient_failures_give_up_after_max_attempts(clock: FrozenClock) -> None:
    queued = await enqueue_pin(await guardian())
    down = Failing(TransientFailure("ConnectError: refused"))
    for _ in range(3):
        await worker(down, clock, max_attempts=3).run_once()
        clock.advance(timedelta(hours=2))
    assert (await worker(down, clock, max_attempts=3).run_once()).total == 0

    assert len(down.calls) == 3
    row = await Notification.get(id=queued.id)
    assert row.status is DeliveryStatus.FAILED
    assert "gave up after 3 attempts" in row.last_error
    assert row.secret_params is None


async def test_a_permanent_failure_ends_at_once(clock: FrozenClock) -> None:
    queued = await enqueue_pin(await guardian())
    refused = Failing(PermanentFailure("SMTP 550: no such user"))
    assert (await worker(refused, clock).run_once()).failed == 1
    clock.advance(timedelta(days=1))
    await worker(refused, clock).run_once()
    assert len(refused.calls) == 1
    row = await Notification.get(id=queued.id)
    assert row.status is DeliveryStatus.FAILED
    assert row.last_error == "SMTP 550: no such user"
    assert row.secret_params is None


async def test_a_crash_looping_message_stops(clock: FrozenClock, recorder: Recorder) -> None:
    queued = await enqueue_pin(await guardian())
    # Three workers claimed it and died before answering.
    for _ in range(3):
        assert await worker(recorder, clock, max_attempts=3).claim_next(clock.now()) is not None
        clock.advance(timedelta(hours=1))
    assert (await worker(recorder, clock, max_attempts=3).run_once()).failed == 1
    assert recorder.sent == []
    assert (await Notification.get(id=queued.id)).status is DeliveryStatus.FAILED


async def test_a_bug_in_a_transport_is_retried_not_fatal(clock: FrozenClock) -> None:
    queued = await enqueue_pin(await guardian())
    buggy = Failing(RuntimeError("body was: your PIN is 482913"))
    assert (await worker(buggy, clock).run_once()).retried == 1
    row = await Notification.get(id=queued.id)
    assert row.last_error == "unexpected RuntimeError"


async def test_secrets_sealed_with_another_key_fail_the_message(
    clock: FrozenClock, recorder: Recorder
) -> None:
    queued = await enqueue_pin(await guardian())
    rotated = worker(recorder, clock)
    rotated.secret = Keyring.from_secrets(b"another-key-entirely-0123456789abcdef")
    assert (await rotated.run_once()).failed == 1
    assert recorder.sent == []
    assert "do not unseal" in (await Notification.get(id=queued.id)).last_error


async def test_logs_never_carry_the_pin_the_body_or_the_destination(
    clock: FrozenClock, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    # Our loggers; the ORM's own SQL debug log is off in production and not ours to judge.
    caplog.set_level(logging.DEBUG, logger="jobs")
    caplog.set_level(logging.DEBUG, logger="integrations")
    first = await enqueue_pin(await guardian(email="private@example.test"), "482913")
    await enqueue_pin(await guardian(email="other@example.test"), "605318")
    flaky = Failing(TransientFailure("HTTP 500 Internal Server Error"))
    await worker(flaky, clock).run_once()
    clock.advance(timedelta(hours=1))
    await worker(Failing(RuntimeError("482913")), clock).run_once()
    clock.advance(timedelta(hours=2))
    await worker(recorder, clock).run_once()

    assert str(first.id) in caplog.text
    assert "template=pin" in caplog.text
    for secret in ("482913", "605318", "private@example.test", "Keep it private"):
        assert secret not in caplog.text
    for attempt in await DeliveryAttempt.all():
        assert "482913" not in attempt.error


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    rng = random.Random(7)
    base, cap = timedelta(seconds=30), timedelta(hours=1)
    for attempt, full in [(1, 30), (2, 60), (3, 120), (8, 3600), (20, 3600)]:
        for _ in range(20):
            delay = backoff(attempt, base=base, cap=cap, rng=rng)
            assert timedelta(seconds=full / 2) <= delay <= timedelta(seconds=full)


async def test_recipient_for_prefers_the_adults_choice() -> None:
    adult = await guardian(channel=ContactMethod.SMS)
    recipient = notifications.recipient_for(adult)
    assert recipient is not None
    assert (recipient.channel, recipient.destination) == ("SMS", "+15555550123")


async def test_the_polling_loop_delivers_and_stops_when_asked(
    recorder: Recorder, clock: FrozenClock
) -> None:
    queued = await enqueue_pin(await guardian(), now=clock.now())
    stop = asyncio.Event()
    polling = asyncio.create_task(worker(recorder, clock).run(0.01, stop))
    await eventually(lambda: len(recorder.sent) == 1)
    stop.set()
    await asyncio.wait_for(polling, 5)
    assert recorder.sent[0].id == queued.id
