"""Sealing short secrets (PINs and codes in queued messages) with the server key.

Fernet gives authenticated encryption; the key is derived from the server secret with
its own label, so it differs from the key that protects stored PINs.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


def _fernet(secret: bytes) -> Fernet:
    key = hashlib.sha256(b"playroll-sealed:" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: bytes, text: str) -> str:
    return _fernet(secret).encrypt(text.encode()).decode()


def unseal(secret: bytes, sealed: str) -> str | None:
    """The text, or None when it was sealed with another key or tampered with."""
    try:
        return _fernet(secret).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
