"""Staff PINs: an admin re-issues one; a staff member changes their own.

The clear PIN is never returned to the admin: the staff member reads it back from their
own profile (``viewer.pin``), so nobody else learns a PIN that confirms entries in their
name. Choosing one's own PIN tells whether someone in the agency already holds it
(PIN_TAKEN), so each try is counted like a sign-in and only a success is given back.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tortoise.transactions import in_transaction

from auth.keys import Keyring
from auth.principals import StaffPrincipal
from models.org import Agency, StaffUser
from services import access, audit, pins
from services.errors import DomainError
from services.staff import StaffRecord, issue_pin, locked_staff, record_of, require_active


class StaffPinErrorCode(StrEnum):
    """Rule failures of changing one's own staff PIN."""

    WRONG_PIN = "WRONG_PIN"


async def re_pin(principal: StaffPrincipal, staff_id: UUID, *, secret: Keyring) -> StaffRecord:
    """Give a staff member a new random PIN of the agency's length; the old one stops
    working at once."""
    async with in_transaction():
        staff: StaffUser = await locked_staff(principal, staff_id)
        require_active(staff)
        agency = await Agency.get(id=principal.agency_id)
        await issue_pin(secret, agency, staff)
        await audit.record(
            principal,
            "staff.repin",
            agency_id=principal.agency_id,
            target_type="staff",
            target_id=staff.id,
        )
    return await record_of(staff)


async def change_own_pin(
    principal: StaffPrincipal,
    current_pin: str,
    new_pin: str,
    *,
    secret: Keyring,
    throttle_policy: access.ThrottlePolicy,
    now: datetime,
) -> None:
    key = f"own-pin:{principal.user_id}"
    limits = access.limits_for(throttle_policy, key, access.ip_key(principal))
    await access.take_attempt(principal, limits, now, data={"staff_id": str(principal.user_id)})
    held = await pins.find(secret, principal.agency_id, current_pin)
    if held is None or str(held.staff_id) != str(principal.user_id):
        await access.record_failure(
            principal, data={"staff_id": str(principal.user_id), "reason": "wrong_pin"}
        )
        raise DomainError(
            StaffPinErrorCode.WRONG_PIN, "Your current PIN is not right.", "currentPin"
        )
    agency = await Agency.get(id=principal.agency_id)
    if len(new_pin) != agency.pin_length:
        raise DomainError(
            pins.PinErrorCode.INVALID_PIN, f"A PIN here has {agency.pin_length} digits.", "newPin"
        )
    try:
        async with in_transaction():
            await pins.store(secret, agency.id, new_pin, staff_id=principal.user_id)
            await audit.record(
                principal,
                "staff.change_own_pin",
                agency_id=principal.agency_id,
                target_type="staff",
                target_id=principal.user_id,
            )
    except DomainError as error:
        error.field = "newPin"  # pins.store names its own argument
        raise
    await access.give_back(limits, now)
