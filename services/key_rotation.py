"""Re-keying stored values after the secret key changed (``playroll rotate-keys``).

Two kinds of stored values are protected by a key and can be moved to the current one:
PIN credentials (the lookup digest and the encrypted copy, recomputed from the decrypted
PIN) and the sealed secrets of messages still waiting to be sent and of the sites' state
subsidy passwords. One-way hashes of codes and link tokens cannot be recomputed without
the clear value: they stay readable through the previous key until they expire.

Each batch is one transaction, and every write is conditional on the value it read, so
a PIN re-issued or a message sent meanwhile is left alone rather than overwritten, and a
run stopped half-way is simply run again. Values no known key can read are counted and
left as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from auth import pins, sealed
from auth.keys import Keyring, Purpose
from models.notifications import Notification
from models.pins import PinCredential
from models.subsidy import SubsidyConnection

BATCH_SIZE = 200


@dataclass
class Tally:
    """What one run did to one kind of value."""

    rekeyed: int = 0
    current: int = 0
    unreadable: int = 0
    # The re-keyed PIN's digest is already another row's (a PIN given twice while two keys
    # were in use): left for staff to re-PIN one of them.
    conflicts: int = 0


@dataclass
class Report:
    pins: Tally
    sealed: Tally

    @property
    def failed(self) -> int:
        return self.pins.unreadable + self.pins.conflicts + self.sealed.unreadable


async def count() -> int:
    """How many stored values a run will look at (for a progress bar)."""
    return (
        await PinCredential.all().count()
        + await Notification.filter(secret_params__isnull=False).count()
        + await SubsidyConnection.filter(password_sealed__isnull=False).count()
    )


def _pin_is_current(keyring: Keyring, row: PinCredential) -> bool | None:
    """True when on the current key, False when re-keyable, None when unreadable."""
    opened = keyring.open(Purpose.PIN_ENCRYPTION, row.encrypted)
    if opened is None:
        return None
    return opened.version == 0 and row.lookup == pins.pin_lookup(
        keyring, str(row.agency_id), opened.text
    )


async def needs_rotation(keyring: Keyring) -> bool:
    """Whether any stored value is not on the current key (stops at the first one)."""
    last = 0
    while batch := await PinCredential.filter(id__gt=last).order_by("id").limit(BATCH_SIZE):
        if any(_pin_is_current(keyring, row) is not True for row in batch):
            return True
        last = batch[-1].id
    async for message in Notification.filter(secret_params__isnull=False):
        opened = keyring.open(Purpose.SEALED, message.secret_params or "")
        if opened is None or opened.version != 0:
            return True
    async for connection in SubsidyConnection.filter(password_sealed__isnull=False):
        opened = keyring.open(Purpose.SEALED, connection.password_sealed or "")
        if opened is None or opened.version != 0:
            return True
    return False


async def _rekey_pin(keyring: Keyring, row: PinCredential, tally: Tally) -> None:
    opened = keyring.open(Purpose.PIN_ENCRYPTION, row.encrypted)
    if opened is None:
        tally.unreadable += 1
        return
    lookup = pins.pin_lookup(keyring, str(row.agency_id), opened.text)
    if opened.version == 0 and row.lookup == lookup:
        tally.current += 1
        return
    try:
        async with in_transaction():  # a savepoint: a conflict keeps the batch usable
            await PinCredential.filter(
                id=row.id, lookup=row.lookup, encrypted=row.encrypted
            ).update(lookup=lookup, encrypted=pins.encrypt_pin(keyring, opened.text))
    except IntegrityError:
        tally.conflicts += 1
        return
    tally.rekeyed += 1


async def _rekey_message(keyring: Keyring, row: Notification, tally: Tally) -> None:
    text = row.secret_params or ""
    opened = keyring.open(Purpose.SEALED, text)
    if opened is None:
        tally.unreadable += 1
    elif opened.version == 0:
        tally.current += 1
    else:
        # Only while still unsent: the worker wipes the secrets once a message is done.
        await Notification.filter(id=row.id, secret_params=text).update(
            secret_params=sealed.seal(keyring, opened.text)
        )
        tally.rekeyed += 1


async def rotate(
    keyring: Keyring,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], object] = lambda done: None,
) -> Report:
    """Move every readable PIN and pending sealed secret to the current key."""
    report = Report(Tally(), Tally())
    last_pin = 0
    while True:
        async with in_transaction():
            batch = await PinCredential.filter(id__gt=last_pin).order_by("id").limit(batch_size)
            for row in batch:
                await _rekey_pin(keyring, row, report.pins)
        if not batch:
            break
        last_pin = batch[-1].id
        progress(len(batch))
    # Notification IDs are UUIDs: ordered all the same, so batches resume past the last.
    last_message: object = None
    while True:
        query = Notification.filter(secret_params__isnull=False)
        if last_message is not None:
            query = query.filter(id__gt=last_message)
        async with in_transaction():
            messages = await query.order_by("id").limit(batch_size)
            for message in messages:
                await _rekey_message(keyring, message, report.sealed)
        if not messages:
            break
        last_message = messages[-1].id
        progress(len(messages))
    # State subsidy passwords: one per connected site, few enough for one pass.
    connections = await SubsidyConnection.filter(password_sealed__isnull=False)
    for connection in connections:
        await _rekey_subsidy_password(keyring, connection, report.sealed)
    progress(len(connections))
    return report


async def _rekey_subsidy_password(keyring: Keyring, row: SubsidyConnection, tally: Tally) -> None:
    text = row.password_sealed or ""
    opened = keyring.open(Purpose.SEALED, text)
    if opened is None:
        tally.unreadable += 1
    elif opened.version == 0:
        tally.current += 1
    else:
        # Conditional: a reconnect meanwhile stored a new password on the current key.
        await SubsidyConnection.filter(id=row.id, password_sealed=text).update(
            password_sealed=sealed.seal(keyring, opened.text)
        )
        tally.rekeyed += 1
