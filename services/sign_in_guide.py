"""The contactless sign-in guide: staff send adults, by email or text, how to sign their
children in and out by scanning the kiosk's QR code from the family app.

Who may send it to whom is the PIN-care rule (``pin_care.careable_adults``): Students
editors for adults of families at their sites, agency admins for the agency. Only
Guardians A and B can hold the family account the guide needs, so other adults get
NOT_A_GUARDIAN. Each adult gets one result; one without an address on the channel does
not stop the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.transactions import in_transaction

from auth.keys import Keyring
from auth.principals import StaffPrincipal
from models.notifications import Notification
from models.org import Agency
from models.people import ContactMethod, FamilyAdult
from services import audit, messages, notifications, pin_care

GUIDE_TEMPLATE = "sign_in_guide"
# Where the family app starts: sign in, or register with an invitation code.
FAMILY_APP_PATH = "/family"


class GuideStatus(StrEnum):
    QUEUED = "QUEUED"
    ALREADY_QUEUED = "ALREADY_QUEUED"
    NOT_A_GUARDIAN = "NOT_A_GUARDIAN"
    NO_CONTACT = "NO_CONTACT"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"
    NOT_FOUND = "NOT_FOUND"


@dataclass(frozen=True)
class GuideResult:
    """What happened to one adult of the request."""

    adult_id: str
    adult: FamilyAdult | None
    status: GuideStatus


@dataclass(frozen=True)
class GuideSending:
    """How the guides of one request go out."""

    secret: Keyring
    base_url: str
    now: datetime
    hourly_cap: int = notifications.DEFAULT_DESTINATION_HOURLY_CAP
    method: ContactMethod | None = None


async def send_sign_in_guide(
    principal: StaffPrincipal, adult_ids: Sequence[str], sending: GuideSending
) -> list[GuideResult]:
    """Queue the guide to each adult by ``sending.method`` (else their preferred
    contact), in their language; foreign and unknown IDs are NOT_FOUND."""
    requested = pin_care.requested_ids(adult_ids)
    wanted = [parsed for _, parsed in requested if parsed is not None]
    reachable = pin_care.careable_adults(principal).filter(id__in=wanted)
    adults = {str(adult.id): adult for adult in await reachable}
    agency = await Agency.get(id=principal.agency_id)
    results: list[GuideResult] = []
    for key, _ in requested:
        adult = adults.get(key)
        if adult is None:
            results.append(GuideResult(key, None, GuideStatus.NOT_FOUND))
            continue
        results.append(GuideResult(key, adult, await _send(principal, agency, adult, sending)))
    return results


async def _send(
    principal: StaffPrincipal, agency: Agency, adult: FamilyAdult, sending: GuideSending
) -> GuideStatus:
    """Queue one adult's guide and audit it, in one transaction of its own."""
    if adult.guardian_slot is None:
        return GuideStatus.NOT_A_GUARDIAN
    recipient = notifications.recipient_by(adult, sending.method)
    if recipient is None:
        return GuideStatus.NO_CONTACT
    # One guide per adult, channel and day: a double click, or two staff members sending
    # to one family in the same morning, does not fill a phone with copies.
    dedupe_key = f"{GUIDE_TEMPLATE}:{adult.id}:{recipient.channel.value}:{sending.now.date()}"
    if await Notification.exists(dedupe_key=dedupe_key):
        return GuideStatus.ALREADY_QUEUED
    try:
        async with in_transaction():
            queued = await notifications.enqueue(
                sending.secret,
                agency_id=agency.id,
                recipient=recipient,
                template=GUIDE_TEMPLATE,
                dedupe_key=dedupe_key,
                params={
                    "adult_first_name": adult.first_name,
                    "agency_name": agency.name,
                    "link": messages.link(
                        sending.base_url, FAMILY_APP_PATH, lang=recipient.language.value
                    ),
                },
                now=sending.now,
                hourly_cap=sending.hourly_cap,
            )
            await audit.record(
                principal,
                "guide.send",
                agency_id=principal.agency_id,
                target_type="family_adult",
                target_id=adult.id,
                data={"channel": recipient.channel.value, "notification_id": str(queued.id)},
            )
    except notifications.TooManyMessages:
        return GuideStatus.TOO_MANY_MESSAGES
    return GuideStatus.QUEUED
