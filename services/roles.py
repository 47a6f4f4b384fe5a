"""Roles: what the staff who hold one may do in each module. Agency admins manage them.

Changing a role changes the access of everyone holding it: their open sockets close and
reconnect with the new grants (their next HTTP request reads them anyway).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from auth.principals import StaffPrincipal
from models.org import ModuleAccess, Role, StaffUser
from realtime.bus import EventBus
from services import audit, org
from services.errors import DomainError, NotFound
from services.staff import checked_name


class RoleErrorCode(StrEnum):
    """Rule failures of creating and changing roles."""

    ROLE_NAME_TAKEN = "ROLE_NAME_TAKEN"


@dataclass(frozen=True)
class RoleChanges:
    """A new role's values, or a change where None keeps the current value."""

    name: str | None = None
    students: ModuleAccess | None = None
    attendance: ModuleAccess | None = None
    messaging: bool | None = None
    site_admin: bool | None = None


_FIELDS = ("name", "students", "attendance", "messaging", "site_admin")
_TAKEN = DomainError(RoleErrorCode.ROLE_NAME_TAKEN, "The agency has a role of this name.", "name")


def _snapshot(role: Role) -> dict[str, Any]:
    return {
        "name": role.name,
        "students": ModuleAccess(role.students).value,
        "attendance": ModuleAccess(role.attendance).value,
        "messaging": role.messaging,
        "site_admin": role.site_admin,
    }


async def roles(principal: StaffPrincipal) -> list[Role]:
    return await Role.filter(agency_id=principal.agency_id).order_by("name")


async def _name_free(principal: StaffPrincipal, name: str, role_id: UUID | None) -> None:
    clash = Role.filter(agency_id=principal.agency_id, name=name)
    if role_id is not None:
        clash = clash.exclude(id=role_id)
    if await clash.exists():
        raise _TAKEN


async def create_role(principal: StaffPrincipal, changes: RoleChanges) -> Role:
    name = checked_name(changes.name or "", "name")
    try:
        async with in_transaction():
            await _name_free(principal, name, None)
            role = await Role.create(
                agency_id=principal.agency_id,
                name=name,
                students=changes.students or ModuleAccess.NONE,
                attendance=changes.attendance or ModuleAccess.NONE,
                messaging=bool(changes.messaging),
                site_admin=bool(changes.site_admin),
            )
            await audit.record(
                principal,
                "role.create",
                agency_id=principal.agency_id,
                target_type="role",
                target_id=role.id,
                data={"before": None, "after": _snapshot(role)},
            )
    except IntegrityError:
        raise _TAKEN from None
    return role


async def update_role(
    principal: StaffPrincipal, role_id: UUID, changes: RoleChanges, *, bus: EventBus
) -> Role:
    name = checked_name(changes.name, "name") if changes.name is not None else None
    try:
        async with in_transaction():
            role = (
                await Role.filter(id=role_id, agency_id=principal.agency_id)
                .select_for_update()
                .first()
            )
            if role is None:
                raise NotFound("Role")
            if name is not None:
                await _name_free(principal, name, role.id)
            before = _snapshot(role)
            given = {
                field: value
                for field, value in {**changes.__dict__, "name": name}.items()
                if field in _FIELDS and value is not None
            }
            for field, value in given.items():
                setattr(role, field, value)
            if given:
                await role.save(update_fields=list(given))
            await audit.record(
                principal,
                "role.update",
                agency_id=principal.agency_id,
                target_type="role",
                target_id=role.id,
                data={"before": before, "after": _snapshot(role)},
            )
            holders = await StaffUser.filter(role_id=role.id).values_list("id", flat=True)
    except IntegrityError:
        raise _TAKEN from None
    await org.access_changed(bus, [UUID(str(h)) for h in holders])
    return role
