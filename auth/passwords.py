"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106)."""

from __future__ import annotations

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Verified against when the account does not exist, so a wrong email costs the same time
# as a wrong password and the response timing reveals nothing.
_unknown_account_hash = _hasher.hash("no account has this password")

# Stored for an account whose holder has not chosen a password yet (a staff invitation):
# not an argon2 hash, so nothing ever verifies against it.
UNUSABLE_PASSWORD = "!unset"

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _unknown_account_hash, password) and (
            password_hash is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def use_parameters(parameters: Parameters) -> None:
    """Hash with these argon2 parameters from now on, in this process.

    For the test suite only, which hashes hundreds of passwords: at the defaults (64 MiB,
    three passes) each costs most of a second on a loaded two-core machine. Hashes made
    with other parameters still verify; ``needs_rehash`` then asks for an upgrade.
    """
    global _hasher, _unknown_account_hash
    _hasher = PasswordHasher.from_parameters(parameters)
    _unknown_account_hash = _hasher.hash("no account has this password")
