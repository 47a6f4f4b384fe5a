"""Counting PIN attempts at kiosks, and the locks that stop guessing.

Every PIN typed at a pad goes through :func:`attempt`. It takes a row lock on the kiosk
and its site, so concurrent attempts (from aliases that slipped through, or many
requests at once) are counted one after another and none escapes the count. A wrong PIN
is written as a ``PinFailure`` and audited, without the PIN, in its own transaction that
commits even though the caller then gets an error.

- ``pad_lock_failures`` wrong PINs within ``pad_lock_window_minutes`` at one pad lock that
  pad for ``pad_lock_minutes``, and staff hear of it on the site's alert channel.
- ``site_daily_pin_failures`` wrong PINs in one local day across the site's pads lock
  every pad of the site until a staff PIN unlocks one of them. Wrong staff PINs typed at
  an unlock screen count towards it like every other PIN.
- Staff lock a pad by hand (``lock``); a staff PIN unlocks it (``attempt`` with
  ``PinPurpose.UNLOCK``). Wrong staff PINs at the unlock screen are counted too, and too
  many of them close the unlock screen for the same window.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from auth.keys import Keyring
from auth.principals import KioskPrincipal
from models.kiosk import Kiosk, PinFailure, PinPurpose
from models.org import Site
from models.pins import PinCredential
from realtime import channels
from realtime.bus import EventBus
from realtime.events import KioskAlert
from services import audit
from services import pins as pin_service
from services.errors import DomainError, NotFound


class PadErrorCode(StrEnum):
    """Rule failures at the PIN pad: wrong PINs and locks."""

    INVALID_PIN = "INVALID_PIN"
    PAD_LOCKED = "PAD_LOCKED"
    UNLOCK_BLOCKED = "UNLOCK_BLOCKED"


T = TypeVar("T")


class LockReason(StrEnum):
    MANUAL = "MANUAL"
    TOO_MANY_FAILURES = "TOO_MANY_FAILURES"
    SITE_LOCKED = "SITE_LOCKED"


@dataclass(frozen=True)
class PadState:
    locked: bool
    reason: LockReason | None = None
    # When a failure lock ends by itself; None while locked means "until a staff PIN".
    until: datetime | None = None


UNLOCKED = PadState(locked=False)


class PadLocked(DomainError):
    def __init__(self, state: PadState) -> None:
        messages = {
            LockReason.MANUAL: "This tablet is locked. Ask a staff member to unlock it.",
            LockReason.TOO_MANY_FAILURES: "Too many wrong PINs. Try again in a few minutes.",
            LockReason.SITE_LOCKED: "Too many wrong PINs today. Ask a staff member to unlock.",
        }
        reason = state.reason or LockReason.MANUAL
        super().__init__(PadErrorCode.PAD_LOCKED, messages[reason], "pin")
        self.state = state


def wrong_pin() -> DomainError:
    # One answer for every refusal, so the pad never tells which PINs exist or whose.
    return DomainError(PadErrorCode.INVALID_PIN, "That PIN is not valid here.", "pin")


def _day_start(site: Site, now: datetime) -> datetime:
    zone = ZoneInfo(site.timezone)
    local_midnight = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    return local_midnight.astimezone(UTC)


def state_of(kiosk: Kiosk, site: Site, now: datetime) -> PadState:
    if kiosk.locked_manually_at is not None:
        return PadState(locked=True, reason=LockReason.MANUAL)
    if site.pads_locked_at is not None:
        return PadState(locked=True, reason=LockReason.SITE_LOCKED)
    if kiosk.locked_until is not None and kiosk.locked_until > now:
        return PadState(locked=True, reason=LockReason.TOO_MANY_FAILURES, until=kiosk.locked_until)
    return UNLOCKED


async def _locked_rows(principal: KioskPrincipal) -> tuple[Kiosk, Site]:
    """The kiosk and its site, row-locked until the transaction ends (PostgreSQL)."""
    kiosk = (
        await Kiosk.filter(id=principal.kiosk_id, revoked_at__isnull=True)
        .select_for_update()
        .first()
    )
    if kiosk is None:
        raise NotFound("Kiosk")
    site = await Site.filter(id=kiosk.site_id).select_for_update().get()
    return kiosk, site


async def current_state(principal: KioskPrincipal, now: datetime) -> PadState:
    kiosk = await Kiosk.get_or_none(id=principal.kiosk_id, revoked_at__isnull=True)
    if kiosk is None:
        raise NotFound("Kiosk")
    return state_of(kiosk, await Site.get(id=kiosk.site_id), now)


def _alert(
    kiosk: Kiosk, site: Site, reason: str, now: datetime, until: datetime | None
) -> KioskAlert:
    return KioskAlert(
        agency_id=str(site.agency_id),
        site_id=str(site.id),
        kiosk_id=str(kiosk.id),
        kiosk_name=kiosk.name,
        reason=reason,
        at=now.isoformat(),
        until=until.isoformat() if until else None,
    )


async def _unlock_screen_closed_until(kiosk: Kiosk, site: Site, now: datetime) -> datetime | None:
    window = timedelta(minutes=site.pad_lock_window_minutes)
    recent = (
        await PinFailure.filter(
            kiosk_id=kiosk.id, purpose=PinPurpose.UNLOCK, failed_at__gt=now - window
        )
        .order_by("-failed_at")
        .limit(site.pad_lock_failures)
    )
    if len(recent) < site.pad_lock_failures:
        return None
    # Open again once the oldest of the last N failures leaves the window.
    return min(f.failed_at for f in recent) + window


async def _lock_pad_if_due(kiosk: Kiosk, site: Site, now: datetime) -> PadState | None:
    """Lock this pad for a while once it has seen too many wrong PINs in the window."""
    window_start = now - timedelta(minutes=site.pad_lock_window_minutes)
    # Failures before the pad was last unlocked (or its last lock ended) are spent.
    if kiosk.locked_until is not None and kiosk.locked_until > window_start:
        window_start = kiosk.locked_until
    at_pad = await PinFailure.filter(
        kiosk_id=kiosk.id, purpose=PinPurpose.PAD, failed_at__gt=window_start
    ).count()
    if at_pad < site.pad_lock_failures:
        return None
    kiosk.locked_until = now + timedelta(minutes=site.pad_lock_minutes)
    await kiosk.save(update_fields=["locked_until"])
    return PadState(True, LockReason.TOO_MANY_FAILURES, kiosk.locked_until)


async def _record_failure(
    principal: KioskPrincipal, kiosk: Kiosk, site: Site, purpose: PinPurpose, now: datetime
) -> tuple[list[KioskAlert], PadState | None]:
    """Count one wrong PIN; lock what the thresholds say. Returns alerts and a new lock."""
    await PinFailure.create(kiosk=kiosk, site=site, purpose=purpose, failed_at=now)
    await audit.record(
        principal,
        "kiosk.pin_failed",
        agency_id=site.agency_id,
        target_type="kiosk",
        target_id=kiosk.id,
        data={"purpose": purpose.value, "site_id": str(site.id)},
    )
    alerts: list[KioskAlert] = []
    new_lock: PadState | None = None
    if purpose is PinPurpose.UNLOCK:
        closed_until = await _unlock_screen_closed_until(kiosk, site, now)
        if closed_until is not None:
            alerts.append(_alert(kiosk, site, "UNLOCK_BLOCKED", now, closed_until))
    else:
        new_lock = await _lock_pad_if_due(kiosk, site, now)
        if new_lock is not None:
            alerts.append(_alert(kiosk, site, "PAD_LOCKED", now, kiosk.locked_until))

    day_start = _day_start(site, now)
    if site.pad_failures_counted_from is not None and site.pad_failures_counted_from > day_start:
        day_start = site.pad_failures_counted_from
    # Wrong staff PINs at the unlock screen count too: every PIN typed at a pad does.
    at_site = await PinFailure.filter(site_id=site.id, failed_at__gte=day_start).count()
    if at_site >= site.site_daily_pin_failures and site.pads_locked_at is None:
        site.pads_locked_at = now
        await site.save(update_fields=["pads_locked_at"])
        new_lock = PadState(True, LockReason.SITE_LOCKED)
        alerts.append(_alert(kiosk, site, "SITE_LOCKED", now, None))
    if new_lock is not None:
        await audit.record(
            principal,
            "kiosk.locked",
            agency_id=site.agency_id,
            target_type="kiosk",
            target_id=kiosk.id,
            data={"reason": new_lock.reason.value if new_lock.reason else None},
        )
    return alerts, new_lock


async def attempt(
    principal: KioskPrincipal,
    pin: str,
    purpose: PinPurpose,
    accept: Callable[[PinCredential, Site], Awaitable[T | None]],
    *,
    secret: Keyring,
    now: datetime,
    bus: EventBus,
) -> tuple[T, Kiosk, Site]:
    """Check a PIN typed at this kiosk; ``accept`` says whether its owner may act here.

    Raises PadLocked while the pad is locked (the PIN is not even looked at), and
    INVALID_PIN for a wrong, unknown or not-allowed PIN, after counting it.
    """
    alerts: list[KioskAlert] = []
    refusal: DomainError | None = None
    accepted: T | None = None
    async with in_transaction():
        kiosk, site = await _locked_rows(principal)
        if purpose is PinPurpose.PAD:
            state = state_of(kiosk, site, now)
            if state.locked:
                raise PadLocked(state)
        else:
            closed_until = await _unlock_screen_closed_until(kiosk, site, now)
            if closed_until is not None:
                raise DomainError(
                    PadErrorCode.UNLOCK_BLOCKED,
                    "Too many wrong staff PINs. Try again later.",
                    "pin",
                )
        credential = await pin_service.find(secret, site.agency_id, pin)
        if credential is not None:
            accepted = await accept(credential, site)
        if accepted is None:
            alerts, new_lock = await _record_failure(principal, kiosk, site, purpose, now)
            refusal = PadLocked(new_lock) if new_lock else wrong_pin()
    await bus.publish([(channels.site_alerts(site.id), alert) for alert in alerts])
    if refusal is not None:
        raise refusal
    assert accepted is not None
    return accepted, kiosk, site


async def lock(principal: KioskPrincipal, now: datetime) -> PadState:
    """Staff lock the pad by hand (leaving the tablet unattended); a staff PIN opens it."""
    async with in_transaction():
        kiosk, site = await _locked_rows(principal)
        if kiosk.locked_manually_at is None:
            kiosk.locked_manually_at = now
            await kiosk.save(update_fields=["locked_manually_at"])
            await audit.record(
                principal,
                "kiosk.lock",
                agency_id=site.agency_id,
                target_type="kiosk",
                target_id=kiosk.id,
            )
    return PadState(locked=True, reason=LockReason.MANUAL)


async def unlock(
    principal: KioskPrincipal, staff_id: UUID | str, *, now: datetime, bus: EventBus
) -> PadState:
    """Clear every lock on this pad and the site's lock, after a staff PIN was accepted."""
    async with in_transaction():
        kiosk, site = await _locked_rows(principal)
        before = state_of(kiosk, site, now)
        kiosk.locked_manually_at = None
        # Failures before now no longer count towards this pad's next lock.
        kiosk.locked_until = now
        await kiosk.save(update_fields=["locked_manually_at", "locked_until"])
        if site.pads_locked_at is not None:
            site.pads_locked_at = None
            site.pad_failures_counted_from = now
            await site.save(update_fields=["pads_locked_at", "pad_failures_counted_from"])
        await audit.record(
            principal,
            "kiosk.unlock",
            agency_id=site.agency_id,
            target_type="kiosk",
            target_id=kiosk.id,
            operator_id=staff_id,
            data={"was": before.reason.value if before.reason else None},
        )
    await bus.publish([(channels.site_alerts(site.id), _alert(kiosk, site, "UNLOCKED", now, None))])
    return UNLOCKED
