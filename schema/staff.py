"""Staff accounts and roles: agency admins create and change them; staff choose their
password with a link and change their own PIN."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import AllowAnyone, IsAgencyAdmin, IsStaff
from models import org as org_models
from resolvers import staff as staff_resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id
from schema.errors import UserError, code_enum, payload_errors
from services import access, notifications, pins, roles, staff_passwords, staff_pins
from services import staff as staff_service

strawberry.enum(
    org_models.ModuleAccess,
    name="ModuleAccess",
    description="Access to one module: NONE, VIEW (read) or EDIT (read and change).",
)
ModuleAccess = org_models.ModuleAccess


@strawberry.type(description="What the staff who hold this role may do, module by module.")
class Role:
    id: strawberry.ID
    name: str
    students: ModuleAccess
    attendance: ModuleAccess
    messaging: bool
    site_admin: bool = strawberry.field(description="Pair kiosks, change site settings.")

    @classmethod
    def from_model(cls, role: org_models.Role) -> Role:
        return cls(
            id=strawberry.ID(str(role.id)),
            name=role.name,
            students=org_models.ModuleAccess(role.students),
            attendance=org_models.ModuleAccess(role.attendance),
            messaging=role.messaging,
            site_admin=role.site_admin,
        )


@strawberry.type(description="A staff member as agency admins see them.")
class StaffMember:
    id: strawberry.ID
    first_name: str
    last_name: str
    email: str
    is_agency_admin: bool = strawberry.field(description="Every site, every module, staff.")
    is_active: bool = strawberry.field(description="False once deactivated; history stays.")
    role: Role | None
    site_ids: list[strawberry.ID]

    @classmethod
    def from_domain(cls, record: staff_service.StaffRecord) -> StaffMember:
        member = record.staff
        return cls(
            id=strawberry.ID(str(member.id)),
            first_name=member.first_name,
            last_name=member.last_name,
            email=member.email,
            is_agency_admin=member.is_agency_admin,
            is_active=member.is_active,
            role=Role.from_model(record.role) if record.role else None,
            site_ids=[strawberry.ID(str(s)) for s in record.site_ids],
        )


# --- inputs ------------------------------------------------------------------------------


@strawberry.input
class CreateRoleInput:
    name: str
    students: ModuleAccess = org_models.ModuleAccess.NONE
    attendance: ModuleAccess = org_models.ModuleAccess.NONE
    messaging: bool = False
    site_admin: bool = False

    def to_changes(self) -> roles.RoleChanges:
        return roles.RoleChanges(
            name=self.name,
            students=self.students,
            attendance=self.attendance,
            messaging=self.messaging,
            site_admin=self.site_admin,
        )


@strawberry.input(description="Only the values given change.")
class UpdateRoleInput:
    role_id: strawberry.ID
    name: str | None = None
    students: ModuleAccess | None = None
    attendance: ModuleAccess | None = None
    messaging: bool | None = None
    site_admin: bool | None = None

    def to_changes(self) -> roles.RoleChanges:
        return roles.RoleChanges(
            name=self.name,
            students=self.students,
            attendance=self.attendance,
            messaging=self.messaging,
            site_admin=self.site_admin,
        )


@strawberry.input
class CreateStaffInput:
    first_name: str
    last_name: str
    email: str = strawberry.field(description="Their login; unique across Playroll.")
    role_id: strawberry.ID
    site_ids: list[strawberry.ID]
    is_agency_admin: bool = False

    def to_new_staff(self) -> staff_service.NewStaff:
        return staff_service.NewStaff(
            first_name=self.first_name,
            last_name=self.last_name,
            email=self.email,
            role_id=object_id(str(self.role_id), "Role"),
            site_ids=[object_id(str(s), "Site") for s in self.site_ids],
            is_agency_admin=self.is_agency_admin,
        )


@strawberry.input
class UpdateStaffAccessInput:
    staff_id: strawberry.ID
    role_id: strawberry.ID
    site_ids: list[strawberry.ID] = strawberry.field(description="Replaces their sites.")
    is_agency_admin: bool | None = strawberry.field(
        default=None, description="Null keeps it as it is."
    )

    def to_changes(self) -> staff_service.AccessChanges:
        return staff_service.AccessChanges(
            staff_id=object_id(str(self.staff_id), "Staff member"),
            role_id=object_id(str(self.role_id), "Role"),
            site_ids=[object_id(str(s), "Site") for s in self.site_ids],
            is_agency_admin=self.is_agency_admin,
        )


@strawberry.input
class StaffMemberInput:
    staff_id: strawberry.ID


@strawberry.input
class SetStaffPasswordInput:
    token: str = strawberry.field(description="The token of the set-password link.")
    password: str


@strawberry.input
class RequestStaffPasswordResetInput:
    email: str


@strawberry.input
class ChangeOwnPinInput:
    current_pin: str
    new_pin: str = strawberry.field(description="Of the agency's PIN length.")


# --- payloads ------------------------------------------------------------------------------

if TYPE_CHECKING:
    RoleErrorCode = StrEnum
    StaffErrorCode = StrEnum
    StaffPasswordErrorCode = StrEnum
    StaffPinErrorCode = StrEnum
else:
    RoleErrorCode = code_enum("RoleErrorCode", roles.RoleErrorCode)
    StaffErrorCode = code_enum(
        "StaffErrorCode",
        staff_service.StaffErrorCode,
        notifications.NotificationErrorCode,
        pins.PinErrorCode,
    )
    StaffPasswordErrorCode = code_enum(
        "StaffPasswordErrorCode",
        staff_passwords.StaffPasswordErrorCode,
        access.AccessErrorCode.TOO_MANY_ATTEMPTS,
    )
    StaffPinErrorCode = code_enum(
        "StaffPinErrorCode",
        staff_pins.StaffPinErrorCode,
        pins.PinErrorCode,
        access.AccessErrorCode.TOO_MANY_ATTEMPTS,
    )


@strawberry.type
class RoleError(UserError):
    code: RoleErrorCode


@strawberry.type
class StaffError(UserError):
    code: StaffErrorCode


@strawberry.type
class StaffPasswordError(UserError):
    code: StaffPasswordErrorCode


@strawberry.type
class StaffPinError(UserError):
    code: StaffPinErrorCode


@strawberry.type
class RolePayload:
    role: Role | None
    errors: list[RoleError]

    @classmethod
    def from_outcome(cls, result: Outcome[org_models.Role]) -> RolePayload:
        return cls(
            role=Role.from_model(result.value) if result.value else None,
            errors=payload_errors(result, RoleError, RoleErrorCode),
        )


@strawberry.type
class StaffPayload:
    staff: StaffMember | None
    errors: list[StaffError]

    @classmethod
    def from_outcome(cls, result: Outcome[staff_service.StaffRecord]) -> StaffPayload:
        return cls(
            staff=StaffMember.from_domain(result.value) if result.value else None,
            errors=payload_errors(result, StaffError, StaffErrorCode),
        )


@strawberry.type
class SetStaffPasswordPayload:
    token: str | None = strawberry.field(
        description="You are signed in: send as `Authorization: Bearer <token>`."
    )
    errors: list[StaffPasswordError]


@strawberry.type
class RequestStaffPasswordResetPayload:
    ok: bool = strawberry.field(
        description="True unless throttled: a link is sent only if the email has an account."
    )
    errors: list[StaffPasswordError]


@strawberry.type
class ChangeOwnPinPayload:
    ok: bool
    errors: list[StaffPinError]


# --- root fields ------------------------------------------------------------------------------


@strawberry.type
class StaffQuery:
    @strawberry.field(permission_classes=[IsAgencyAdmin], description="The agency's roles.")
    async def roles(self, info: Info) -> list[Role]:
        return [Role.from_model(r) for r in await staff_resolvers.roles_of_agency(info)]

    @strawberry.field(
        permission_classes=[IsAgencyAdmin],
        description="The agency's staff, deactivated ones included, by last name.",
    )
    async def staff_members(self, info: Info) -> list[StaffMember]:
        return [StaffMember.from_domain(r) for r in await staff_resolvers.staff_members(info)]


@strawberry.type
class StaffMutation:
    @strawberry.mutation(permission_classes=[IsAgencyAdmin])
    async def create_role(self, info: Info, input: CreateRoleInput) -> RolePayload:
        return RolePayload.from_outcome(await staff_resolvers.create_role(info, input.to_changes()))

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Change a role; open sockets of the staff holding it are closed.",
    )
    async def update_role(self, info: Info, input: UpdateRoleInput) -> RolePayload:
        result = await staff_resolvers.update_role(info, str(input.role_id), input.to_changes())
        return RolePayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Create a staff member with a staff PIN; emails their set-password link.",
    )
    async def create_staff(self, info: Info, input: CreateStaffInput) -> StaffPayload:
        result = await staff_resolvers.create_staff(info, input.to_new_staff())
        return StaffPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Email a new set-password link; earlier links stop working.",
    )
    async def send_staff_invitation(self, info: Info, input: StaffMemberInput) -> StaffPayload:
        result = await staff_resolvers.send_invitation(info, str(input.staff_id))
        return StaffPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Replace a staff member's role and sites; their open sockets are closed.",
    )
    async def update_staff_access(self, info: Info, input: UpdateStaffAccessInput) -> StaffPayload:
        result = await staff_resolvers.update_access(info, input.to_changes())
        return StaffPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="End a staff member's access: sessions, sockets, links and PIN. "
        "Their name stays on their history.",
    )
    async def deactivate_staff(self, info: Info, input: StaffMemberInput) -> StaffPayload:
        result = await staff_resolvers.deactivate(info, str(input.staff_id))
        return StaffPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Give a staff member a new PIN; they read it from their own profile.",
    )
    async def re_pin_staff(self, info: Info, input: StaffMemberInput) -> StaffPayload:
        result = await staff_resolvers.re_pin(info, str(input.staff_id))
        return StaffPayload.from_outcome(result)

    @strawberry.mutation(permission_classes=[IsStaff], description="Change your own staff PIN.")
    async def change_own_pin(self, info: Info, input: ChangeOwnPinInput) -> ChangeOwnPinPayload:
        result = await staff_resolvers.change_own_pin(info, input.current_pin, input.new_pin)
        return ChangeOwnPinPayload(
            ok=not result.errors, errors=payload_errors(result, StaffPinError, StaffPinErrorCode)
        )

    @strawberry.mutation(
        permission_classes=[AllowAnyone],
        description="Choose your staff password with the token of a set-password link.",
    )
    async def set_staff_password(
        self, info: Info, input: SetStaffPasswordInput
    ) -> SetStaffPasswordPayload:
        result = await staff_resolvers.set_password(info, input.token, input.password)
        return SetStaffPasswordPayload(
            token=result.value,
            errors=payload_errors(result, StaffPasswordError, StaffPasswordErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[AllowAnyone],
        description="Email a set-password link, if the email has a staff account. "
        "The same answer either way.",
    )
    async def request_staff_password_reset(
        self, info: Info, input: RequestStaffPasswordResetInput
    ) -> RequestStaffPasswordResetPayload:
        result = await staff_resolvers.request_password_reset(info, input.email)
        return RequestStaffPasswordResetPayload(
            ok=not result.errors,
            errors=payload_errors(result, StaffPasswordError, StaffPasswordErrorCode),
        )


# Each tries a secret (a link's token, a PIN) or sends one: one per operation.
STAFF_SINGLE_ROOT_FIELDS = frozenset(
    {"setStaffPassword", "requestStaffPasswordReset", "changeOwnPin"}
)
