"""First start: an agency and its first agency admin, from the command line.

The operator never types a password: the admin chooses one through the set-password link
printed (and queued by email). Audited with the operator as the actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise.transactions import in_transaction

from auth import passwords
from auth.principals import Anonymous
from models.access import PasswordTokenKind
from models.org import Agency, StaffUser
from services import audit
from services.errors import InvalidInput
from services.staff import (
    checked_email,
    checked_name,
    issue_pin,
    refuse_taken_email,
    staff_snapshot,
)
from services.staff_passwords import LinkPolicy, send_link

MAX_AGENCY_NAME_LENGTH = 200
OPERATOR = ("OPERATOR", "playroll-cli")


@dataclass(frozen=True)
class FirstStart:
    agency: Agency
    admin: StaffUser
    link: str


def checked_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("Give an IANA time zone, such as America/Chicago.", "timezone") from None
    return value


async def create_agency(
    name: str,
    admin_email: str,
    *,
    first_name: str,
    last_name: str,
    timezone: str,
    links: LinkPolicy,
    now: datetime,
) -> FirstStart:
    """An agency and its first agency admin, who chooses a password with the link returned
    (also queued by email). Refused when the email already has a staff account."""
    name = checked_name(name, "name", MAX_AGENCY_NAME_LENGTH)
    email = checked_email(admin_email)
    first_name = checked_name(first_name, "firstName")
    last_name = checked_name(last_name, "lastName")
    timezone = checked_timezone(timezone)
    operator = Anonymous()
    async with in_transaction():
        await refuse_taken_email(email)
        agency = await Agency.create(name=name, timezone=timezone)
        admin = await StaffUser.create(
            agency=agency,
            email=email,
            first_name=first_name,
            last_name=last_name,
            password_hash=passwords.UNUSABLE_PASSWORD,
            is_agency_admin=True,
        )
        await issue_pin(links.secret, agency, admin)
        link = await send_link(admin, agency, PasswordTokenKind.INVITATION, policy=links, now=now)
        await audit.record(
            operator,
            "agency.create",
            agency_id=agency.id,
            target_type="agency",
            target_id=agency.id,
            on_behalf_of=OPERATOR,
            data={"before": None, "after": {"name": name, "timezone": timezone}},
        )
        await audit.record(
            operator,
            "staff.create",
            agency_id=agency.id,
            target_type="staff",
            target_id=admin.id,
            on_behalf_of=OPERATOR,
            data={"before": None, "after": staff_snapshot(admin, [])},
        )
    return FirstStart(agency, admin, link)
