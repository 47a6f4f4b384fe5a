"""Contactless sign-in codes: the QR code a kiosk shows, scanned by a parent's phone.

A code names its site and is signed with the server key, so nothing is stored: the
server recomputes what today's code must be. ``STATIC`` codes never expire (they can be
printed; bumping ``Site.contactless_version`` retires them); ``DYNAMIC`` codes are only
good on the site-local day they were made for, so a photo of yesterday's code is useless
after midnight where the site is, not where the server is.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import qrcode
from qrcode.image.svg import SvgPathImage

from auth.keys import Keyring, Purpose
from models.org import ContactlessMode, Site
from services import org
from services.errors import DomainError


class ContactlessErrorCode(StrEnum):
    """Rule failures of sign-ins from a phone at the door."""

    CONTACTLESS_OFF = "CONTACTLESS_OFF"
    INVALID_CONTACTLESS_CODE = "INVALID_CONTACTLESS_CODE"


_PREFIX = "pr1"


@dataclass(frozen=True)
class ContactlessCode:
    token: str
    # None for static codes, which never expire.
    expires_at: datetime | None

    def svg(self) -> str:
        image = qrcode.make(self.token, image_factory=SvgPathImage)
        svg: str = image.to_string(encoding="unicode")
        return svg


def _scope(site: Site, day: date) -> str:
    if site.contactless_mode == ContactlessMode.STATIC:
        return f"S{site.contactless_version}"
    return f"D{day:%Y%m%d}"


def _signatures(secret: Keyring, site_id: str, scope: str) -> list[str]:
    """The code's signature under every key, current first."""
    message = f"contactless:{site_id}:{scope}".encode()
    return [
        base64.urlsafe_b64encode(bytes.fromhex(digest)[:16]).decode().rstrip("=")
        for digest in secret.digests(Purpose.SIGNING, message)
    ]


def _tokens(secret: Keyring, site: Site, scope: str) -> list[str]:
    return [
        f"{_PREFIX}.{site.id}.{scope}.{signature}"
        for signature in _signatures(secret, str(site.id), scope)
    ]


def _next_midnight(site: Site, day: date) -> datetime:
    zone = ZoneInfo(site.timezone)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def current(secret: Keyring, site: Site, now: datetime) -> ContactlessCode | None:
    """The code the site's kiosks show now, or None when contactless is switched off."""
    if not site.contactless_enabled:
        return None
    day = org.local_date(site, now)
    scope = _scope(site, day)
    token = _tokens(secret, site, scope)[0]
    dynamic = site.contactless_mode == ContactlessMode.DYNAMIC
    return ContactlessCode(token, _next_midnight(site, day) if dynamic else None)


def verify(secret: Keyring, site: Site, token: str | None, now: datetime) -> None:
    """Refuse unless ``token`` is the site's code valid right now.

    A code signed with the previous key still passes during a key rotation: printed
    static codes keep working until the previous key is removed.
    """
    if not site.contactless_enabled:
        raise DomainError(
            ContactlessErrorCode.CONTACTLESS_OFF,
            "This site does not take sign-ins from phones.",
            "contactlessToken",
        )
    wrong = DomainError(
        ContactlessErrorCode.INVALID_CONTACTLESS_CODE,
        "Scan the code shown on the kiosk at the door.",
        "contactlessToken",
    )
    if not token:
        raise wrong
    scope = _scope(site, org.local_date(site, now))
    matched = False
    for expected in _tokens(secret, site, scope):
        matched |= hmac.compare_digest(token.encode(), expected.encode())
    if not matched:
        raise wrong
