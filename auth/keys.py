"""The server's keys: one per purpose, derived from ``PLAYROLL_SECRET_KEY`` with HKDF.

Each purpose (PIN lookups, PIN encryption, sealed message secrets, signed codes, hashed
one-time codes) gets its own HKDF-SHA256 key under its own info label, so no key ever
serves two purposes and none is the raw secret.

Rotation: a ``Keyring`` holds the keys of the current secret and, during a rotation, of
the previous one (``PLAYROLL_SECRET_KEY_PREVIOUS``). Everything is written with the
current keys; reading (decrypting, verifying, looking up) tries the current keys first,
then the previous ones. ``playroll rotate-keys`` re-writes stored values with the current
keys, after which the previous secret can be dropped.

Legacy: before HKDF, keys were the raw secret (HMACs) or ``sha256(label + secret)``
(Fernet). Those derivations stay readers, after the HKDF ones, so data written by an
older release keeps working and ``playroll rotate-keys`` moves it to the HKDF keys.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Purpose(StrEnum):
    """What a key is for; the value is its HKDF info label."""

    PIN_LOOKUP = "playroll/pin-lookup/v1"
    PIN_ENCRYPTION = "playroll/pin-encryption/v1"
    SEALED = "playroll/sealed/v1"
    SIGNING = "playroll/signing/v1"
    # One-time codes and link tokens, stored only as keyed hashes.
    CODE_HASH = "playroll/code-hash/v1"


_FERNET_PURPOSES = frozenset({Purpose.PIN_ENCRYPTION, Purpose.SEALED})
# What the Fernet keys were before HKDF: sha256 of these labels followed by the secret.
_LEGACY_FERNET_LABELS = {
    Purpose.PIN_ENCRYPTION: b"playroll-pin-encryption:",
    Purpose.SEALED: b"playroll-sealed:",
}


def _hkdf(secret: bytes, purpose: Purpose) -> bytes:
    # No salt: the secret is already a uniformly random key (RFC 5869 section 3.1).
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.value.encode())
    return kdf.derive(secret)


def _legacy(secret: bytes, purpose: Purpose) -> bytes:
    label = _LEGACY_FERNET_LABELS.get(purpose)
    return hashlib.sha256(label + secret).digest() if label is not None else secret


@dataclass(frozen=True)
class KeyVersion:
    """The keys of one secret under one derivation."""

    name: str
    legacy: bool
    keys: dict[Purpose, bytes] = field(repr=False, compare=False, hash=False)

    @classmethod
    def derive(cls, name: str, secret: bytes, *, legacy: bool = False) -> KeyVersion:
        derive = _legacy if legacy else _hkdf
        return cls(name, legacy, {purpose: derive(secret, purpose) for purpose in Purpose})

    def fernet(self, purpose: Purpose) -> Fernet:
        if purpose not in _FERNET_PURPOSES:
            raise ValueError(f"{purpose} is not an encryption key")
        return Fernet(base64.urlsafe_b64encode(self.keys[purpose]))

    def digest(self, purpose: Purpose, message: bytes) -> str:
        if purpose in _FERNET_PURPOSES:
            raise ValueError(f"{purpose} is an encryption key")
        return hmac.new(self.keys[purpose], message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Opened:
    """A decrypted value and the key version that read it (0 is current)."""

    text: str
    version: int


@dataclass(frozen=True)
class Keyring:
    """Current keys first, then the readers kept for a rotation and for legacy data."""

    versions: tuple[KeyVersion, ...]

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def from_secrets(current: bytes, previous: bytes | None = None) -> Keyring:
        """The keyring of a deployment: HKDF keys of both secrets, then their legacy keys."""
        versions = [KeyVersion.derive("current", current)]
        if previous is not None:
            versions.append(KeyVersion.derive("previous", previous))
        versions.append(KeyVersion.derive("legacy current", current, legacy=True))
        if previous is not None:
            versions.append(KeyVersion.derive("legacy previous", previous, legacy=True))
        return Keyring(tuple(versions))

    @property
    def current(self) -> KeyVersion:
        return self.versions[0]

    # --- keyed hashes and signatures: written with the current key, checked with any ---

    def digest(self, purpose: Purpose, message: bytes) -> str:
        return self.current.digest(purpose, message)

    def digests(self, purpose: Purpose, message: bytes) -> list[str]:
        """The message's digest under every key, current first: what a stored one may be."""
        return [version.digest(purpose, message) for version in self.versions]

    def matches(self, purpose: Purpose, message: bytes, expected: str) -> bool:
        """Whether ``expected`` is the message's digest under any key (constant time each)."""
        found = False
        for candidate in self.digests(purpose, message):
            # No early exit: every key is tried whatever matched.
            found |= hmac.compare_digest(candidate.encode(), expected.encode())
        return found

    # --- encryption: with the current key, decrypted with any ---------------------------

    def encrypt(self, purpose: Purpose, text: str) -> str:
        return self.current.fernet(purpose).encrypt(text.encode()).decode()

    def open(self, purpose: Purpose, token: str) -> Opened | None:
        """The text and which key read it, or None when no key does (or it was altered)."""
        for number, version in enumerate(self.versions):
            try:
                return Opened(version.fernet(purpose).decrypt(token.encode()).decode(), number)
            except InvalidToken:
                continue
        return None

    def decrypt(self, purpose: Purpose, token: str) -> str | None:
        opened = self.open(purpose, token)
        return opened.text if opened is not None else None
