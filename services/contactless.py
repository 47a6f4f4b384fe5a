"""Contactless sign-in codes: the QR code a kiosk shows, scanned by a parent's phone.

A code names its site and is signed with the server key, so nothing is stored: the
server recomputes what today's code must be. ``STATIC`` codes never expire (they can be
printed; bumping ``Site.contactless_version`` retires them); ``DYNAMIC`` codes are only
good on the site-local day they were made for, so a photo of yesterday's code is useless
after midnight where the site is, not where the server is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import qrcode
from qrcode.image.svg import SvgPathImage

from models.org import ContactlessMode, Site
from services import org
from services.errors import DomainError

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


def _signature(secret: bytes, site_id: str, scope: str) -> str:
    digest = hmac.new(secret, f"contactless:{site_id}:{scope}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:16]).decode().rstrip("=")


def _next_midnight(site: Site, day: date) -> datetime:
    zone = ZoneInfo(site.timezone)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def current(secret: bytes, site: Site, now: datetime) -> ContactlessCode | None:
    """The code the site's kiosks show now, or None when contactless is switched off."""
    if not site.contactless_enabled:
        return None
    day = org.local_date(site, now)
    scope = _scope(site, day)
    token = f"{_PREFIX}.{site.id}.{scope}.{_signature(secret, str(site.id), scope)}"
    dynamic = site.contactless_mode == ContactlessMode.DYNAMIC
    return ContactlessCode(token, _next_midnight(site, day) if dynamic else None)


def verify(secret: bytes, site: Site, token: str | None, now: datetime) -> None:
    """Refuse unless ``token`` is the site's code valid right now."""
    if not site.contactless_enabled:
        raise DomainError(
            "CONTACTLESS_OFF", "This site does not take sign-ins from phones.", "contactlessToken"
        )
    wrong = DomainError(
        "INVALID_CONTACTLESS_CODE",
        "Scan the code shown on the kiosk at the door.",
        "contactlessToken",
    )
    expected = current(secret, site, now)
    if not token or expected is None:
        raise wrong
    if not hmac.compare_digest(token.encode(), expected.token.encode()):
        raise wrong
