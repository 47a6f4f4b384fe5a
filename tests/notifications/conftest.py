"""Shared pieces for the notification tests: a settable clock, guardians, a fake transport."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from integrations.transport import OutgoingMessage, Transport
from jobs.worker import Worker
from models.notifications import Notification
from models.org import Agency
from models.people import ContactMethod, Family, FamilyAdult, GuardianSlot, Language
from services import notifications
from tests.clock import FrozenClock
from tests.conftest import TEST_KEYRING

SECRET = TEST_KEYRING
START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def clock(clock: FrozenClock) -> FrozenClock:
    """Time that moves only when a test says so; backoff is tested by moving it."""
    clock.set(START)
    return clock


@dataclass
class Recorder:
    """A transport that keeps what it was given; yields once so racing workers interleave."""

    sent: list[OutgoingMessage] = field(default_factory=list)

    async def send(self, message: OutgoingMessage) -> str | None:
        await asyncio.sleep(0)
        self.sent.append(message)
        return f"fake-{message.id}"

    async def aclose(self) -> None:
        return None


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def worker(
    transports: Transport | Mapping[ContactMethod, Transport],
    clock: FrozenClock,
    **options: Any,
) -> Worker:
    """A worker on the test secret and clock; one transport serves both channels."""
    if not isinstance(transports, Mapping):
        transports = {ContactMethod.EMAIL: transports, ContactMethod.SMS: transports}
    return Worker(secret=SECRET, transports=transports, clock=clock, **options)


async def guardian(
    *,
    language: Language = Language.EN,
    channel: ContactMethod = ContactMethod.EMAIL,
    first_name: str = "Ana",
    email: str | None = "ana@example.test",
    phone: str | None = "+15555550123",
    agency: Agency | None = None,
) -> FamilyAdult:
    agency = agency or await Agency.create(name="Sunrise Early Learning")
    family = await Family.create(agency=agency, name="Garcia")
    return await FamilyAdult.create(
        family=family,
        guardian_slot=GuardianSlot.A,
        first_name=first_name,
        last_name="Garcia",
        email=email,
        phone=phone,
        preferred_contact=channel,
        language=language,
    )


async def enqueue_pin(
    adult: FamilyAdult, pin: str = "482913", *, now: datetime = START, key: str | None = None
) -> Notification:
    recipient = notifications.recipient_for(adult)
    assert recipient is not None
    family = await adult.family
    return await notifications.enqueue(
        SECRET,
        agency_id=family.agency_id,
        recipient=recipient,
        template="pin",
        dedupe_key=key or f"pin:{adult.id}:{next(_keys)}",
        params={"adult_first_name": adult.first_name, "site_name": "Sunrise North"},
        secret_params={"pin": pin},
        now=now,
    )
