"""PIN credentials: issuing, finding and revealing the PINs of staff and family adults.

One namespace per agency: ``PinCredential.lookup`` is unique, and the keyed HMAC behind
it covers the agency ID, so the database itself refuses a PIN already held by anyone in
the agency, staff or adult (during a key rotation, ``store`` also checks the older keys'
digests). The clear PIN is returned to the caller that issued or
revealed it and never stored or logged.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from auth import pins
from auth.keys import Keyring
from models.org import Agency
from models.pins import PinCredential
from services.errors import DomainError


class PinErrorCode(StrEnum):
    """Rule failures of storing or reading a PIN."""

    INVALID_PIN = "INVALID_PIN"
    TRIVIAL_PIN = "TRIVIAL_PIN"
    PIN_TAKEN = "PIN_TAKEN"
    PIN_UNREADABLE = "PIN_UNREADABLE"


ALLOWED_LENGTHS = (4, 5, 6)
# Enough retries that a collision streak is practically impossible even in a big agency
# (a 6-digit space holds ~10^6 PINs); running out means the space is nearly full.
_ISSUE_ATTEMPTS = 20


class PinSpaceExhausted(Exception):
    """No free PIN was found: the agency needs longer PINs."""


def short_pin_warning(length: int) -> str | None:
    """The warning staff see when an agency chooses PINs shorter than 6 digits."""
    if length >= pins.DEFAULT_PIN_LENGTH:
        return None
    guesses = 10**length
    return (
        f"{length}-digit PINs allow only {guesses:,} combinations; a stranger at the pad "
        "is far more likely to hit a real one. 6 digits are recommended."
    )


def lookup(secret: Keyring, agency_id: UUID | str, pin: str) -> str:
    return pins.pin_lookup(secret, str(agency_id), pin)


async def find(secret: Keyring, agency_id: UUID | str, pin: str) -> PinCredential | None:
    """The credential holding this PIN in the agency, or None. One query.

    During a key rotation a PIN not yet re-keyed is stored under an older key, so every
    key's digest is asked for; the current key's row wins (only one can exist).
    """
    if not pins.is_well_formed(pin):
        return None
    candidates = pins.pin_lookups(secret, str(agency_id), pin)
    found = {row.lookup: row for row in await PinCredential.filter(lookup__in=candidates)}
    return next((found[c] for c in candidates if c in found), None)


def reveal(secret: Keyring, credential: PinCredential) -> str:
    revealed = pins.decrypt_pin(secret, credential.encrypted)
    if revealed is None:
        # Only a changed server key gets here; the PIN must be issued again.
        raise DomainError(
            PinErrorCode.PIN_UNREADABLE, "This PIN can no longer be read; issue a new one."
        )
    return revealed


async def store(
    secret: Keyring,
    agency_id: UUID | str,
    pin: str,
    *,
    staff_id: UUID | str | None = None,
    adult_id: UUID | str | None = None,
) -> PinCredential:
    """Give the owner this PIN, replacing theirs. PIN_TAKEN when someone else holds it."""
    if (staff_id is None) == (adult_id is None):
        raise ValueError("a PIN belongs to exactly one staff member or one adult")
    if not pins.is_well_formed(pin):
        raise DomainError(PinErrorCode.INVALID_PIN, "A PIN is 4 to 6 digits.", "pin")
    if pins.is_trivial(pin):
        raise DomainError(PinErrorCode.TRIVIAL_PIN, "That PIN is too easy to guess.", "pin")
    owner = {"staff_id": staff_id} if staff_id is not None else {"adult_id": adult_id}
    try:
        # A savepoint, so a collision leaves an enclosing transaction usable.
        async with in_transaction():
            await PinCredential.filter(**owner).delete()
            # The unique column only sees the current key's digest: a PIN still stored
            # under an older key (mid-rotation) is taken all the same.
            older = pins.pin_lookups(secret, str(agency_id), pin)[1:]
            if await PinCredential.filter(lookup__in=older).exists():
                raise DomainError(PinErrorCode.PIN_TAKEN, "Choose another PIN.", "pin")
            return await PinCredential.create(
                agency_id=agency_id,
                lookup=lookup(secret, agency_id, pin),
                encrypted=pins.encrypt_pin(secret, pin),
                **owner,
            )
    except IntegrityError:
        raise DomainError(PinErrorCode.PIN_TAKEN, "Choose another PIN.", "pin") from None


async def issue(
    secret: Keyring,
    agency: Agency,
    *,
    staff_id: UUID | str | None = None,
    adult_id: UUID | str | None = None,
) -> str:
    """Give the owner a new random PIN of the agency's length; returns it in clear."""
    length = agency.pin_length if agency.pin_length in ALLOWED_LENGTHS else pins.DEFAULT_PIN_LENGTH
    for _ in range(_ISSUE_ATTEMPTS):
        pin = pins.generate_pin(length)
        try:
            await store(secret, agency.id, pin, staff_id=staff_id, adult_id=adult_id)
        except DomainError as error:
            if error.code is PinErrorCode.PIN_TAKEN:
                continue
            raise
        return pin
    raise PinSpaceExhausted(f"no free {length}-digit PIN after {_ISSUE_ATTEMPTS} tries")


async def issue_many(secret: Keyring, agency: Agency, adult_ids: list[UUID]) -> None:
    """A new random PIN for each of many new adults at once (a roster import): one query
    per few hundred candidates to find those already taken, then one insert. A PIN taken
    meanwhile by another request makes the insert fail: those adults then go one by one.
    Call inside the transaction that created the adults."""
    length = agency.pin_length if agency.pin_length in ALLOWED_LENGTHS else pins.DEFAULT_PIN_LENGTH
    chosen: dict[UUID, str] = {}
    for _ in range(_ISSUE_ATTEMPTS):
        waiting = [a for a in adult_ids if a not in chosen]
        if not waiting:
            break
        held = set(chosen.values())
        offers: dict[UUID, str] = {}
        for adult_id in waiting:
            pin = pins.generate_pin(length)
            if pin not in held:
                offers[adult_id] = pin
                held.add(pin)
        taken = await _taken(secret, agency.id, list(offers.values()))
        chosen.update({a: p for a, p in offers.items() if p not in taken})
    if len(chosen) < len(adult_ids):
        raise PinSpaceExhausted(f"no free {length}-digit PIN after {_ISSUE_ATTEMPTS} tries")
    rows = [
        PinCredential(
            agency_id=agency.id,
            lookup=lookup(secret, agency.id, pin),
            encrypted=pins.encrypt_pin(secret, pin),
            adult_id=adult_id,
        )
        for adult_id, pin in chosen.items()
    ]
    try:
        async with in_transaction():  # a savepoint, so a lost race leaves the rest usable
            await PinCredential.bulk_create(rows)
    except IntegrityError:
        for adult_id in adult_ids:
            await issue(secret, agency, adult_id=adult_id)


async def _taken(secret: Keyring, agency_id: UUID | str, offered: list[str]) -> set[str]:
    """Which of the offered PINs someone in the agency holds, under any key."""
    owner_of = {d: pin for pin in offered for d in pins.pin_lookups(secret, str(agency_id), pin)}
    digests = list(owner_of)
    taken: set[str] = set()
    for start in range(0, len(digests), _LOOKUP_BATCH):
        batch = digests[start : start + _LOOKUP_BATCH]
        found = await PinCredential.filter(lookup__in=batch).values_list("lookup", flat=True)
        taken.update(owner_of[str(d)] for d in found)
    return taken


# Digests asked for in one query: well under every database's bound-parameter limit.
_LOOKUP_BATCH = 500
