"""Queueing: idempotent by dedupe key, capped per destination, secrets sealed, templates checked."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from models.notifications import DeliveryStatus, Notification
from models.org import Agency
from models.people import ContactMethod, Language
from server.settings import Settings
from services import messages, notifications
from services.notifications import Recipient, TooManyMessages
from tests.notifications.conftest import SECRET, START, enqueue_pin, guardian

ANA = Recipient(ContactMethod.EMAIL, "ana@example.test", Language.EN)


async def _code(
    key: str, recipient: Recipient = ANA, *, cap: int = 3, **options: Any
) -> Notification:
    return await notifications.enqueue(
        SECRET,
        agency_id=None,
        recipient=recipient,
        template="verification_code",
        dedupe_key=key,
        secret_params={"code": "731904"},
        hourly_cap=cap,
        **options,
    )


async def test_the_same_dedupe_key_is_one_message() -> None:
    first = await _code("verify:1", now=START)
    again = await _code("verify:1", now=START + timedelta(minutes=1))
    assert again.id == first.id
    assert await Notification.all().count() == 1


async def test_a_destination_gets_at_most_the_cap_in_an_hour() -> None:
    for n in range(3):
        await _code(f"k{n}", now=START + timedelta(minutes=n))

    with pytest.raises(TooManyMessages) as refused:
        await _code("k3", now=START + timedelta(minutes=10))
    assert refused.value.code == "TOO_MANY_MESSAGES"
    assert await Notification.filter(dedupe_key="k3").count() == 0

    # Other destinations are not affected, and a repeated key is not a new message.
    other = Recipient(ContactMethod.SMS, "+15555550199", Language.ES)
    await _code("other", other, now=START + timedelta(minutes=10))
    assert (await _code("k0", now=START + timedelta(minutes=10))).dedupe_key == "k0"

    # An hour after the first one, there is room again.
    await _code("k4", now=START + timedelta(minutes=60, seconds=1))
    assert await Notification.filter(destination=ANA.destination).count() == 4


async def test_the_default_cap_is_the_settings_default(settings: Settings) -> None:
    assert (
        settings.notification_destination_hourly_cap == notifications.DEFAULT_DESTINATION_HOURLY_CAP
    )
    for n in range(settings.notification_destination_hourly_cap):
        await notifications.enqueue(
            SECRET,
            agency_id=None,
            recipient=ANA,
            template="verification_code",
            dedupe_key=f"d{n}",
            secret_params={"code": "1"},
            now=START,
        )
    with pytest.raises(TooManyMessages):
        await notifications.enqueue(
            SECRET,
            agency_id=None,
            recipient=ANA,
            template="verification_code",
            dedupe_key="one-more",
            secret_params={"code": "1"},
            now=START,
        )


async def test_secrets_are_sealed_and_params_kept_plain() -> None:
    adult = await guardian()
    queued = await enqueue_pin(adult, "482913")
    stored = await Notification.get(id=queued.id)
    assert stored.status is DeliveryStatus.PENDING
    assert stored.secret_params is not None
    assert "482913" not in stored.secret_params
    assert stored.params == {"adult_first_name": "Ana", "site_name": "Sunrise North"}
    assert stored.language is Language.EN
    assert stored.next_attempt_at == START


async def test_dates_may_be_given_as_dates() -> None:
    queued = await notifications.enqueue(
        SECRET,
        agency_id=None,
        recipient=ANA,
        template="attendance_submission",
        dedupe_key="submit:1",
        params={
            "guardian_first_name": "Ana",
            "agency_name": "Sunrise",
            "period_from": date(2026, 11, 2),
            "period_to": date(2026, 11, 15),
        },
        secret_params={"link": "https://families.example.org/submit?token=x"},
        now=START,
    )
    assert (await Notification.get(id=queued.id)).params["period_from"] == "2026-11-02"


@pytest.mark.parametrize(
    ("template", "params", "secrets"),
    [
        ("welcome", {}, {}),
        ("pin", {"adult_first_name": "Ana"}, {"pin": "482913"}),
        ("pin", {"adult_first_name": "Ana", "site_name": "North", "typo": "x"}, {"pin": "1"}),
        ("verification_code", {}, {}),
        ("verification_code", {}, {"code": "1", "pin": "2"}),
        ("password_reset", {"code": "in the clear"}, {}),
    ],
)
async def test_a_wrong_template_or_parameter_fails_loudly(
    template: str, params: dict[str, Any], secrets: dict[str, str]
) -> None:
    with pytest.raises(messages.TemplateError):
        await notifications.enqueue(
            SECRET,
            agency_id=None,
            recipient=ANA,
            template=template,
            dedupe_key="bad",
            params=params,
            secret_params=secrets,
            now=START,
        )
    assert await Notification.all().count() == 0


async def test_racing_enqueues_of_one_key_make_one_row() -> None:
    results = await asyncio.gather(*(_code("race", cap=50, now=START) for _ in range(6)))
    assert len({r.id for r in results}) == 1
    assert await Notification.filter(dedupe_key="race").count() == 1


async def test_losing_the_key_race_keeps_the_callers_transaction_usable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = await _code("lost-race", now=START)
    real_get = Notification.get_or_none
    calls = 0

    async def miss_once(*args: Any, **kwargs: Any) -> Notification | None:
        # The other enqueue commits between our lookup and our insert.
        nonlocal calls
        calls += 1
        return None if calls == 1 else await real_get(*args, **kwargs)

    monkeypatch.setattr(Notification, "get_or_none", miss_once)
    async with in_transaction():
        again = await _code("lost-race", now=START)
        # Still inside the caller's transaction: it must not have been aborted.
        await Agency.create(name="Written after the lost race")
    assert again.id == first.id
    assert await Agency.filter(name="Written after the lost race").exists()
