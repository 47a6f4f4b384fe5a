"""The codes that prove who opens a submission link (where the agency asks).

Six digits, sent to the guardian's own email or phone, kept only as a keyed hash salted
with the link's request, valid ten minutes, and capped per address or phone so a link
cannot be used to flood someone. ``services.submission_links`` decides when to send one
and checks what the guardian types.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from uuid import UUID

from auth.keys import Keyring, Purpose
from models.people import ContactMethod, FamilyAdult
from models.signatures import VerificationCode

CODE_LIFETIME = timedelta(minutes=10)
CODE_MAX_TRIES = 5
CODE_MAX_SENDS = 3
CODE_SEND_WINDOW = timedelta(minutes=15)

CODE_RE = re.compile(r"[0-9]{6}", re.ASCII)


def code_message(request_id: UUID | str, code: str) -> bytes:
    # Salted with the request, so one code's hash says nothing about another link's.
    return f"submission-code:{request_id}:{code}".encode()


def destination(adult: FamilyAdult, channel: ContactMethod) -> str:
    """A code goes to the guardian's own email (compared lowercased) or phone; blank is none."""
    raw = adult.email if channel is ContactMethod.EMAIL else adult.phone
    found = (raw or "").strip()
    if channel is ContactMethod.EMAIL:
        found = found.lower()
    return found


async def under_send_limit(destination: str, now: datetime) -> bool:
    """At most CODE_MAX_SENDS codes go to one address or phone per CODE_SEND_WINDOW."""
    recent = await VerificationCode.filter(
        destination=destination, created_at__gt=now - CODE_SEND_WINDOW
    ).count()
    return recent < CODE_MAX_SENDS


async def issue(
    request_id: UUID | str,
    channel: ContactMethod,
    destination: str,
    *,
    secret: Keyring,
    now: datetime,
) -> tuple[VerificationCode, str]:
    """A fresh code is kept only as its keyed hash, valid CODE_LIFETIME; sent sealed."""
    # The clear code is returned once, for the sealed message, and stored nowhere.
    code = f"{secrets.randbelow(10**6):06d}"
    sent = await VerificationCode.create(
        request_id=request_id,
        channel=channel,
        destination=destination,
        code_hash=secret.digest(Purpose.CODE_HASH, code_message(request_id, code)),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    return sent, code
