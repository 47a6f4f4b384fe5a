"""PINs: ASCII digits compared as strings, looked up by keyed HMAC, kept encrypted.

A PIN is both identifier and secret on a shared pad, so it is looked up through a keyed
HMAC (one hash per attempt and server key, useless without the key) and stored a second time
encrypted for the staff who may read it back. The clear PIN is never stored or logged.
"""

from __future__ import annotations

import itertools
import re
import secrets

from auth.keys import Keyring, Purpose

DEFAULT_PIN_LENGTH = 6
_PIN_RE = re.compile(r"[0-9]{4,6}", re.ASCII)


class PinFormatError(ValueError):
    pass


def is_well_formed(pin: str, length: int | None = None) -> bool:
    """4 to 6 ASCII digits (exactly ``length`` when given)."""
    # Never int(): it accepts Arabic-Indic and full-width digits, spaces and underscores.
    return _PIN_RE.fullmatch(pin) is not None and (length is None or len(pin) == length)


def is_trivial(pin: str) -> bool:
    """Repeated digits (000000) and ascending or descending runs (123456, 654321)."""
    if len(set(pin)) == 1:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    return steps in ({1}, {9})


def generate_pin(length: int = DEFAULT_PIN_LENGTH) -> str:
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(length))
        if not is_trivial(pin):
            return pin


def pin_lookup_message(agency_id: str, pin: str) -> bytes:
    return f"pin:{agency_id}:{pin}".encode()


def pin_lookup(keyring: Keyring, agency_id: str, pin: str) -> str:
    """The keyed digest a PIN is stored under, with the current key."""
    return keyring.digest(Purpose.PIN_LOOKUP, pin_lookup_message(agency_id, pin))


def pin_lookups(keyring: Keyring, agency_id: str, pin: str) -> list[str]:
    """Every digest the PIN may be stored under (current key first), during a rotation."""
    return keyring.digests(Purpose.PIN_LOOKUP, pin_lookup_message(agency_id, pin))


def encrypt_pin(keyring: Keyring, pin: str) -> str:
    return keyring.encrypt(Purpose.PIN_ENCRYPTION, pin)


def decrypt_pin(keyring: Keyring, encrypted: str) -> str | None:
    return keyring.decrypt(Purpose.PIN_ENCRYPTION, encrypted)
