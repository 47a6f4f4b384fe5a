from __future__ import annotations

from datetime import timedelta

from models.org import Role
from resolvers.context import Context, Info
from resolvers.outcome import Outcome, object_id, outcome
from services import roles, staff, staff_passwords, staff_pins
from services.roles import RoleChanges
from services.staff import AccessChanges, NewStaff, StaffRecord
from services.staff_passwords import LinkPolicy


def _links(ctx: Context) -> LinkPolicy:
    s = ctx.settings
    return LinkPolicy(s.secret, s.base_url, s.notification_destination_hourly_cap)


async def roles_of_agency(info: Info) -> list[Role]:
    return await roles.roles(info.context.staff)


async def staff_members(info: Info) -> list[StaffRecord]:
    return await staff.staff_members(info.context.staff)


async def create_role(info: Info, changes: RoleChanges) -> Outcome[Role]:
    return await outcome(roles.create_role(info.context.staff, changes))


async def update_role(info: Info, role_id: str, changes: RoleChanges) -> Outcome[Role]:
    ctx = info.context
    return await outcome(
        roles.update_role(ctx.staff, object_id(role_id, "Role"), changes, bus=ctx.bus)
    )


async def create_staff(info: Info, new: NewStaff) -> Outcome[StaffRecord]:
    ctx = info.context
    return await outcome(staff.create_staff(ctx.staff, new, links=_links(ctx), now=ctx.now()))


async def send_invitation(info: Info, staff_id: str) -> Outcome[StaffRecord]:
    ctx = info.context
    target = object_id(staff_id, "Staff member")
    return await outcome(staff.send_invitation(ctx.staff, target, links=_links(ctx), now=ctx.now()))


async def update_access(info: Info, changes: AccessChanges) -> Outcome[StaffRecord]:
    ctx = info.context
    return await outcome(staff.update_access(ctx.staff, changes, bus=ctx.bus))


async def deactivate(info: Info, staff_id: str) -> Outcome[StaffRecord]:
    ctx = info.context
    target = object_id(staff_id, "Staff member")
    return await outcome(staff.deactivate(ctx.staff, target, bus=ctx.bus, now=ctx.now()))


async def re_pin(info: Info, staff_id: str) -> Outcome[StaffRecord]:
    ctx = info.context
    target = object_id(staff_id, "Staff member")
    return await outcome(staff_pins.re_pin(ctx.staff, target, secret=ctx.settings.secret))


async def change_own_pin(info: Info, current_pin: str, new_pin: str) -> Outcome[None]:
    ctx = info.context
    return await outcome(
        staff_pins.change_own_pin(
            ctx.staff,
            current_pin,
            new_pin,
            secret=ctx.settings.secret,
            throttle_policy=ctx.throttle_policy,
            now=ctx.now(),
        )
    )


async def set_password(info: Info, token: str, password: str) -> Outcome[str]:
    ctx = info.context
    return await outcome(
        staff_passwords.set_password(
            ctx.principal,
            token,
            password,
            secret=ctx.settings.secret,
            throttle_policy=ctx.throttle_policy,
            session_lifetime=timedelta(hours=ctx.settings.session_lifetime_hours),
            bus=ctx.bus,
            now=ctx.now(),
        )
    )


async def request_password_reset(info: Info, email: str) -> Outcome[None]:
    ctx = info.context
    return await outcome(
        staff_passwords.request_reset(
            ctx.principal,
            email,
            links=_links(ctx),
            throttle_policy=ctx.throttle_policy,
            now=ctx.now(),
        )
    )
