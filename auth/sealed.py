"""Sealing short secrets (PINs and codes in queued messages) with the server key.

Fernet gives authenticated encryption with the keyring's sealing key, which differs from
the key that protects stored PINs. Sealed with the current key, opened with any.
"""

from __future__ import annotations

from auth.keys import Keyring, Purpose


def seal(keyring: Keyring, text: str) -> str:
    return keyring.encrypt(Purpose.SEALED, text)


def unseal(keyring: Keyring, sealed: str) -> str | None:
    """The text, or None when no known key sealed it or it was tampered with."""
    return keyring.decrypt(Purpose.SEALED, sealed)
