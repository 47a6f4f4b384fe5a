"""Opaque bearer tokens: 256 random bits handed out once, only their digest kept."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32
# A token longer than this is not one of ours; refuse it before hashing anything.
MAX_TOKEN_LENGTH = 128


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    # SHA-256 is enough here (unlike for passwords): the token has 256 bits of entropy.
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` value, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token
