"""PINs: ASCII digits compared as strings, looked up by keyed HMAC, kept encrypted.

A PIN is both identifier and secret on a shared pad, so it is looked up through a keyed
HMAC (one hash per attempt, useless without the server key) and stored a second time
encrypted for the staff who may read it back. The clear PIN is never stored or logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
import secrets

from cryptography.fernet import Fernet, InvalidToken

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


def pin_lookup(secret: bytes, agency_id: str, pin: str) -> str:
    """The keyed digest used to find a PIN's owner within one agency."""
    message = f"pin:{agency_id}:{pin}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _fernet(secret: bytes) -> Fernet:
    key = hashlib.sha256(b"playroll-pin-encryption:" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_pin(secret: bytes, pin: str) -> str:
    return _fernet(secret).encrypt(pin.encode()).decode()


def decrypt_pin(secret: bytes, encrypted: str) -> str | None:
    try:
        return _fernet(secret).decrypt(encrypted.encode()).decode()
    except InvalidToken:
        return None
