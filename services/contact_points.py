"""Email addresses and phone numbers, in the one spelling every record and login uses."""

from __future__ import annotations

import re

import phonenumbers

MAX_EMAIL_LENGTH = 254
# Loose on purpose: the message that bounces is the real check; this catches typos.
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+", re.ASCII)


def normalize_email(value: str) -> str | None:
    """The address lower-cased and trimmed, or None when it is not an email address."""
    email = value.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL_RE.fullmatch(email):
        return None
    return email


def normalize_phone(value: str, default_region: str = "US") -> str | None:
    """A valid phone number in E.164 form, or None.

    A number without its ``+`` country code is read in ``default_region``. Only ASCII
    digits are taken, so one number has one spelling.
    """
    cleaned = value.strip()
    if not cleaned.isascii() or len(cleaned) > 40:
        return None
    try:
        number = phonenumbers.parse(cleaned, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
