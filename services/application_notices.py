"""Messages to an applying family: by its preferred contact (or the channel staff chose),
to the first guardian, in the application's language. A status notice that cannot go out
(no address, too many messages lately) is skipped: the audit log still has the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auth.keys import Keyring
from models.org import Agency
from models.people import ContactMethod, Language
from models.waitlist import Application
from services import application_texts, notifications


@dataclass(frozen=True)
class Outbox:
    """What sending needs from the settings."""

    secret: Keyring
    base_url: str = ""
    hourly_cap: int = notifications.DEFAULT_DESTINATION_HOURLY_CAP


def recipient(
    application: Application, method: ContactMethod | None = None
) -> notifications.Recipient | None:
    """The first guardian's address on ``method``, or on the preferred contact method."""
    channel = method or ContactMethod(application.contact_method)
    guardian = application.guardians[0] if application.guardians else {}
    destination = (guardian.get("email" if channel is ContactMethod.EMAIL else "phone")) or ""
    if not destination.strip():
        return None
    return notifications.Recipient(channel, destination, Language(application.language))


async def params_of(application: Application) -> dict[str, Any]:
    """What every application message names: the guardian, the agency, the number."""
    agency = await Agency.get(id=application.agency_id)  # type: ignore[attr-defined]
    guardian = application.guardians[0] if application.guardians else {}
    return {
        "guardian_first_name": guardian.get("first_name", ""),
        "agency_name": agency.name,
        "number": application.display_number,
    }


async def send(
    outbox: Outbox,
    application: Application,
    template: str,
    *,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Queue a notice (in the caller's transaction); False when it cannot go out."""
    to = recipient(application)
    if to is None:
        return False
    try:
        await notifications.enqueue(
            outbox.secret,
            agency_id=application.agency_id,  # type: ignore[attr-defined]
            recipient=to,
            template=template,
            dedupe_key=f"{template}:{application.id}:{now.isoformat()}",
            params=await params_of(application) | (extra or {}),
            now=now,
            hourly_cap=outbox.hourly_cap,
        )
    except notifications.TooManyMessages:
        return False
    return True


async def status_changed(outbox: Outbox, application: Application, *, now: datetime) -> bool:
    """Tell the family the application's new status."""
    template = application_texts.status_template(application.status)
    return await send(outbox, application, template, now=now)
