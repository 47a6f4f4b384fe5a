"""The notification worker: claim a due message, render it, send it, record what happened.

Claiming is one conditional UPDATE per message (only while its lease is free or has run
out); the number of updated rows says who owns it, so any number of workers can share a
PostgreSQL database. The claim also counts the attempt, which is the fencing token for
everything the worker writes afterwards.

Delivery is at least once, not exactly once. A SENT row is never sent again, but a worker
that dies between the provider accepting a message and the SENT mark leaves the row
PENDING; once its lease runs out another worker sends it again. The SMTP Message-ID and the
SMS Idempotency-Key are both the notification id, so mail clients and providers that honour
them drop that second copy.

Logs carry ids, template, channel and outcome, never the destination, the rendered body or
a secret parameter.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import traceback
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from auth import sealed
from auth.keys import Keyring
from integrations.transport import (
    OutgoingMessage,
    PermanentFailure,
    TransientFailure,
    Transport,
)
from models.notifications import DeliveryAttempt, DeliveryStatus, Notification
from models.people import ContactMethod, Language
from services import messages
from services.clock import Clock

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    SENT = "SENT"
    RETRY = "RETRY"
    FAILED = "FAILED"
    # Another worker took the message over (our lease ran out mid-send); it decides.
    SUPERSEDED = "SUPERSEDED"


@dataclass
class Drained:
    """What one pass over the due messages did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    superseded: int = 0

    def count(self, outcome: Outcome) -> None:
        name = outcome.value.lower() if outcome is not Outcome.RETRY else "retried"
        setattr(self, name, getattr(self, name) + 1)

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed + self.superseded


def backoff(attempt: int, *, base: timedelta, cap: timedelta, rng: random.Random) -> timedelta:
    """Wait before the next try: doubling per attempt up to ``cap``, the upper half random.

    The jitter spreads out retries of messages that failed together (a provider outage),
    so they do not all hit the provider again in the same second.
    """
    full: timedelta = min(cap, base * 2 ** max(attempt - 1, 0))
    return full / 2 + full / 2 * rng.random()


class _Undeliverable(Exception):
    """The message cannot be built (bad template, unreadable secrets): fail it for good."""


class Worker:
    def __init__(
        self,
        *,
        secret: Keyring,
        transports: Mapping[ContactMethod, Transport],
        clock: Clock,
        max_attempts: int = 10,
        # Longer than any single send may take (SMTP timeout 30 s, HTTP 10 s) plus clock
        # skew between workers, or a slow send would be taken over and sent twice.
        lease: timedelta = timedelta(minutes=5),
        retry_base: timedelta = timedelta(seconds=30),
        retry_cap: timedelta = timedelta(hours=1),
        rng: random.Random | None = None,
        claim_batch: int = 10,
    ) -> None:
        if max_attempts < 1 or retry_base <= timedelta(0) or lease <= timedelta(0):
            raise ValueError("max_attempts, retry_base and lease must be positive")
        self.secret = secret
        self.transports = dict(transports)
        self.max_attempts = max_attempts
        self.lease = lease
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.clock = clock
        self.rng = rng or random.Random()
        self.claim_batch = claim_batch

    async def claim_next(self, due_by: datetime) -> Notification | None:
        """Take the lease on one PENDING message due by ``due_by``, or None if none is left."""
        now = self.clock.now()
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
        candidates = (
            await Notification.filter(
                free, status=DeliveryStatus.PENDING, next_attempt_at__lte=due_by
            )
            .order_by("next_attempt_at", "created_at")
            .limit(self.claim_batch)
            .values_list("id", flat=True)
        )
        for candidate in candidates:
            # The WHERE clause is re-checked on the locked row, so of two workers updating
            # the same row at once exactly one sees "1 row updated".
            won = await Notification.filter(
                free, id=candidate, status=DeliveryStatus.PENDING
            ).update(claimed_until=now + self.lease, attempts=F("attempts") + 1)
            if won:
                return await Notification.get(id=candidate)
        return None

    async def deliver(self, notification: Notification) -> Outcome:
        """Send one claimed message and record the attempt; never raises for a bad send."""
        started = self.clock.now()
        provider_id: str | None = None
        error = ""
        try:
            if notification.attempts > self.max_attempts:
                # Earlier holders claimed it and vanished (crashes): stop trying.
                raise _Undeliverable(f"gave up after {self.max_attempts} attempts")
            message = self._build(notification)
            transport = self.transports[ContactMethod(notification.channel)]
            provider_id = await transport.send(message)
            outcome = Outcome.SENT
        except (PermanentFailure, _Undeliverable) as e:
            outcome, error = Outcome.FAILED, str(e) or type(e).__name__
        except TransientFailure as e:
            outcome, error = Outcome.RETRY, str(e) or type(e).__name__
        except Exception as e:
            # A bug, not a provider answer: keep the message and retry it. Only the type and
            # the stack are logged: an exception's text could quote the message body.
            outcome, error = Outcome.RETRY, f"unexpected {type(e).__name__}"
            logger.error(
                "notification %s: unexpected %s\n%s",
                notification.id,
                type(e).__name__,
                "".join(traceback.format_tb(e.__traceback__)),
            )
        if outcome is Outcome.RETRY and notification.attempts >= self.max_attempts:
            outcome, error = (
                Outcome.FAILED,
                f"{error} (gave up after {notification.attempts} attempts)",
            )
        outcome = await self._record(notification, outcome, started, error, provider_id)
        log = logger.info if outcome is Outcome.SENT else logger.warning
        log(
            "notification %s template=%s channel=%s attempt=%d outcome=%s%s",
            notification.id,
            notification.template,
            notification.channel,
            notification.attempts,
            outcome,
            f" error={error}" if error else "",
        )
        return outcome

    async def run_once(self) -> Drained:
        """Deliver every message due now, then return (``playroll worker --once``)."""
        # Only what is due at the start: a busy queue cannot keep one pass going forever.
        due_by = self.clock.now()
        drained = Drained()
        while (notification := await self.claim_next(due_by)) is not None:
            drained.count(await self.deliver(notification))
        return drained

    async def run(self, poll_seconds: float, stop: asyncio.Event) -> None:
        """Deliver what is due every ``poll_seconds`` until ``stop`` is set."""
        while not stop.is_set():
            try:
                drained = await self.run_once()
                if drained.total:
                    logger.info("delivery pass: %s", drained)
            except Exception:
                # The database may be restarting: keep polling rather than exit.
                logger.exception("delivery pass failed; retrying in %s s", poll_seconds)
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)

    async def aclose(self) -> None:
        for transport in {id(t): t for t in self.transports.values()}.values():
            await transport.aclose()

    def _build(self, notification: Notification) -> OutgoingMessage:
        secrets: dict[str, str] = {}
        if notification.secret_params:
            opened = sealed.unseal(self.secret, notification.secret_params)
            if opened is None:
                raise _Undeliverable(
                    "secret parameters do not unseal: was the secret key changed "
                    "without PLAYROLL_SECRET_KEY_PREVIOUS?"
                )
            secrets = json.loads(opened)
        try:
            rendered = messages.render(
                notification.template,
                language=Language(notification.language),
                channel=ContactMethod(notification.channel),
                params=notification.params,
                secrets=secrets,
            )
        except messages.TemplateError as e:
            raise _Undeliverable(str(e)) from None
        return OutgoingMessage(
            id=notification.id,
            destination=notification.destination,
            subject=rendered.subject,
            body=rendered.body,
            language=Language(notification.language).value,
        )

    async def _record(
        self,
        notification: Notification,
        outcome: Outcome,
        started: datetime,
        error: str,
        provider_id: str | None,
    ) -> Outcome:
        finished = self.clock.now()
        changes: dict[str, Any] = {"claimed_until": None, "last_error": error}
        if outcome is Outcome.SENT:
            changes |= {
                "status": DeliveryStatus.SENT,
                "sent_at": finished,
                "provider_message_id": provider_id,
                "secret_params": None,
                "last_error": "",
            }
        elif outcome is Outcome.FAILED:
            changes |= {"status": DeliveryStatus.FAILED, "secret_params": None}
        else:
            delay = backoff(
                notification.attempts, base=self.retry_base, cap=self.retry_cap, rng=self.rng
            )
            changes["next_attempt_at"] = finished + delay
        rows = Notification.filter(id=notification.id, status=DeliveryStatus.PENDING)
        if outcome is not Outcome.SENT:
            # Only the current lease holder may schedule or fail it; a delivery, though, is
            # a fact worth recording whoever holds the lease now.
            rows = rows.filter(attempts=notification.attempts)
        async with in_transaction():
            await DeliveryAttempt.create(
                notification_id=notification.id,
                started_at=started,
                finished_at=finished,
                succeeded=outcome is Outcome.SENT,
                error=error,
            )
            updated = await rows.update(**changes)
        return outcome if updated else Outcome.SUPERSEDED
