from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import IsStaff
from auth.principals import Grant, StaffPrincipal
from resolvers import pin_care as pin_care_resolvers
from resolvers.context import Info
from schema.errors import UserError, code_enum
from schema.messaging import UnreadMessages
from services import access, family

strawberry.enum(Grant, name="StaffGrant", description="What a staff role allows.")


@strawberry.type(description="A signed-in staff member, with what their role allows.")
class StaffViewer(UnreadMessages):
    id: strawberry.ID
    name: str
    agency_id: strawberry.ID
    is_agency_admin: bool
    grants: list[Grant]
    site_ids: list[strawberry.ID]

    @strawberry.field(
        permission_classes=[IsStaff],
        description="Your own staff PIN for shared tablets, or null when you have none.",
    )
    async def pin(self, info: Info) -> str | None:
        return await pin_care_resolvers.own_pin(info, str(self.id))

    @classmethod
    def from_principal(cls, principal: StaffPrincipal) -> StaffViewer:
        return cls(
            id=strawberry.ID(str(principal.user_id)),
            name=principal.name,
            agency_id=strawberry.ID(str(principal.agency_id)),
            is_agency_admin=principal.is_agency_admin,
            grants=sorted(principal.grants),
            site_ids=[strawberry.ID(str(s)) for s in sorted(principal.site_ids, key=str)],
        )


@strawberry.input
class StaffLoginInput:
    email: str
    password: str


if TYPE_CHECKING:
    AuthErrorCode = StrEnum
else:
    AuthErrorCode = code_enum(
        "AuthErrorCode",
        access.AccessErrorCode,
        family.FamilyErrorCode.INVALID_CREDENTIALS,
    )


@strawberry.type
class AuthError(UserError):
    code: AuthErrorCode


@strawberry.type
class AuthPayload:
    token: str | None = strawberry.field(description="Send as `Authorization: Bearer <token>`.")
    errors: list[AuthError]


@strawberry.type
class LogoutPayload:
    ok: bool
