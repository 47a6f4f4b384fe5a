"""Family accounts: staff invite guardians; parents register, sign in and see their children."""

from __future__ import annotations

import datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

import strawberry

from auth.permissions import AllowAnyone, CanEditStudents, CanViewStudents, IsParent
from resolvers import family as family_resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome
from schema import people as schema_people
from schema.access import AuthError, AuthErrorCode, AuthPayload
from schema.errors import UserError, code_enum, payload_errors
from schema.parent_viewer import ChildDay
from schema.people import AdultRole, Child, ContactMethod, Language
from services import access, guardian_list, invitations, parent_views
from services import attendance as attendance_service
from services import family as family_service


@strawberry.enum(description="A guardian's family account, as the staff column shows it.")
class OnlineAccountState(Enum):
    INVITE = "INVITE"
    REINVITE = "REINVITE"
    REGISTERED = "REGISTERED"


@strawberry.type
class OnlineAccount:
    state: OnlineAccountState
    login: str | None = strawberry.field(
        description="The email or phone the guardian registered with, once REGISTERED."
    )
    invited_at: datetime.datetime | None = strawberry.field(
        description="When the open invitation was sent (REINVITE)."
    )
    expires_at: datetime.datetime | None = strawberry.field(
        description="When its code stops working; invite again after that."
    )

    @classmethod
    def from_domain(cls, account: guardian_list.OnlineAccount) -> OnlineAccount:
        return cls(
            state=OnlineAccountState[account.state.value],
            login=account.login,
            invited_at=account.invited_at,
            expires_at=account.expires_at,
        )


@strawberry.type(description="Parent/Guardian A or B: the only adults who may hold an account.")
class Guardian:
    id: strawberry.ID
    role: AdultRole
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    preferred_contact: ContactMethod
    language: Language
    children: list[Child]
    online_account: OnlineAccount

    @classmethod
    def from_domain(cls, row: guardian_list.GuardianRow) -> Guardian:
        adult = row.adult
        slot = adult.guardian_slot
        return cls(
            id=strawberry.ID(str(adult.id)),
            role=AdultRole[f"GUARDIAN_{slot.value}"] if slot else AdultRole.CONTACT,
            first_name=adult.first_name,
            last_name=adult.last_name,
            email=adult.email,
            phone=adult.phone,
            preferred_contact=ContactMethod(adult.preferred_contact.value),
            language=Language(adult.language.value),
            children=[Child.from_model(c) for c in row.children],
            online_account=OnlineAccount.from_domain(row.account),
        )


# --- inputs, errors and payloads -------------------------------------------------------------


if TYPE_CHECKING:
    FamilyErrorCode = StrEnum
else:
    FamilyErrorCode = code_enum(
        "FamilyErrorCode",
        invitations.InvitationErrorCode,
        family_service.FamilyErrorCode.INVALID_CODE,
        access.AccessErrorCode.TOO_MANY_ATTEMPTS,
        attendance_service.AttendanceErrorCode.NOT_ENROLLED,
        attendance_service.AttendanceErrorCode.PAST_DAY_LOCKED,
        parent_views.ParentViewErrorCode,
        attendance_service.AttendanceErrorCode.ALREADY_ATTENDED,
        attendance_service.AttendanceErrorCode.ALREADY_ABSENT,
    )


@strawberry.type
class FamilyError(UserError):
    code: FamilyErrorCode


def _auth_payload(result: Outcome[str]) -> AuthPayload:
    return AuthPayload(
        token=result.value,
        errors=payload_errors(result, AuthError, AuthErrorCode),
    )


@strawberry.enum(description="What happened to one guardian of a (group) invitation.")
class InviteOutcome(Enum):
    INVITED = "INVITED"
    NOT_A_GUARDIAN = "NOT_A_GUARDIAN"
    NO_CONTACT = "NO_CONTACT"
    ALREADY_REGISTERED = "ALREADY_REGISTERED"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"
    NOT_FOUND = "NOT_FOUND"


@strawberry.type
class InviteGuardianResult:
    guardian_id: strawberry.ID
    outcome: InviteOutcome
    guardian: Guardian | None = strawberry.field(description="Null when NOT_FOUND.")


@strawberry.input
class InviteGuardiansInput:
    guardian_ids: list[strawberry.ID] = strawberry.field(description="One or up to 100.")
    method: ContactMethod | None = schema_people.method_field()


@strawberry.type
class InviteGuardiansPayload:
    results: list[InviteGuardianResult]
    errors: list[FamilyError]


@strawberry.input
class UnlinkGuardianInput:
    guardian_id: strawberry.ID


@strawberry.type
class UnlinkGuardianPayload:
    guardian: Guardian | None
    errors: list[FamilyError]


@strawberry.input
class RegisterFamilyAccountInput:
    code: str = strawberry.field(description="The invitation code from the message.")
    login: str = strawberry.field(description="An email address or a mobile phone number.")
    password: str


@strawberry.input
class FamilyLoginInput:
    login: str
    password: str


@strawberry.input
class RequestPasswordResetInput:
    login: str


@strawberry.type
class RequestPasswordResetPayload:
    ok: bool = strawberry.field(
        description="Always true: a code is sent only if the login has an account."
    )


@strawberry.input
class ResetPasswordInput:
    login: str
    code: str
    new_password: str


@strawberry.input
class AddConnectionInput:
    code: str = strawberry.field(description="An invitation code from another program.")


@strawberry.type
class AddConnectionPayload:
    agency_name: str | None = strawberry.field(description="The program you are now connected to.")
    errors: list[FamilyError]


@strawberry.input
class ReportAbsenceInput:
    child_id: strawberry.ID
    date: datetime.date
    reason: str = ""
    client_mutation_id: UUID | None = strawberry.field(
        default=None,
        description="A UUID the device generates once per entry: sending it again is harmless.",
    )


@strawberry.type
class ReportAbsencePayload:
    day: ChildDay | None
    errors: list[FamilyError]


# --- root fields ------------------------------------------------------------------------------


@strawberry.type
class FamilyQuery:
    @strawberry.field(
        permission_classes=[CanViewStudents],
        description="Guardians A and B of the children enrolled at one of your sites today.",
    )
    async def guardians(
        self,
        info: Info,
        site_id: strawberry.ID,
        classroom_id: strawberry.ID | None = None,
        state: OnlineAccountState | None = None,
        program_id: strawberry.ID | None = None,
    ) -> list[Guardian]:
        rows = await family_resolvers.guardians(
            info,
            str(site_id),
            str(classroom_id) if classroom_id is not None else None,
            guardian_list.OnlineState(state.value) if state is not None else None,
            str(program_id) if program_id is not None else None,
        )
        return [Guardian.from_domain(r) for r in rows]


@strawberry.type
class FamilyMutation:
    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Invite one guardian or a group by email or text (method).",
    )
    async def invite_guardians(
        self, info: Info, input: InviteGuardiansInput
    ) -> InviteGuardiansPayload:
        method = schema_people.chosen_method(input.method)
        result = await family_resolvers.invite(info, [str(i) for i in input.guardian_ids], method)
        return InviteGuardiansPayload(
            results=[
                InviteGuardianResult(
                    guardian_id=strawberry.ID(r.guardian_id),
                    outcome=InviteOutcome[r.outcome.value],
                    guardian=Guardian.from_domain(r.row) if r.row else None,
                )
                for r in result.value or []
            ],
            errors=payload_errors(result, FamilyError, FamilyErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Disconnect a guardian from their family account. Their PIN stays.",
    )
    async def unlink_guardian(
        self, info: Info, input: UnlinkGuardianInput
    ) -> UnlinkGuardianPayload:
        result = await family_resolvers.unlink(info, str(input.guardian_id))
        return UnlinkGuardianPayload(
            guardian=Guardian.from_domain(result.value) if result.value else None,
            errors=payload_errors(result, FamilyError, FamilyErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[AllowAnyone],
        description="Create a family account with an invitation code; returns a token.",
    )
    async def register_family_account(
        self, info: Info, input: RegisterFamilyAccountInput
    ) -> AuthPayload:
        return _auth_payload(
            await family_resolvers.register(info, input.code, input.login, input.password)
        )

    @strawberry.mutation(permission_classes=[AllowAnyone])
    async def family_login(self, info: Info, input: FamilyLoginInput) -> AuthPayload:
        return _auth_payload(await family_resolvers.login(info, input.login, input.password))

    @strawberry.mutation(
        permission_classes=[AllowAnyone],
        description="Send a reset code to the login, if it has an account. Same answer either way.",
    )
    async def request_password_reset(
        self, info: Info, input: RequestPasswordResetInput
    ) -> RequestPasswordResetPayload:
        await family_resolvers.request_password_reset(info, input.login)
        return RequestPasswordResetPayload(ok=True)

    @strawberry.mutation(
        permission_classes=[AllowAnyone],
        description="Choose a new password with a reset code; other sessions end.",
    )
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> AuthPayload:
        return _auth_payload(
            await family_resolvers.reset_password(info, input.login, input.code, input.new_password)
        )

    @strawberry.mutation(
        permission_classes=[IsParent],
        description="Connect your account to another program with its invitation code.",
    )
    async def add_connection(self, info: Info, input: AddConnectionInput) -> AddConnectionPayload:
        result = await family_resolvers.add_connection(info, input.code)
        return AddConnectionPayload(
            agency_name=result.value.name if result.value else None,
            errors=payload_errors(result, FamilyError, FamilyErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[IsParent], description="Report your child absent for a day."
    )
    async def report_absence(self, info: Info, input: ReportAbsenceInput) -> ReportAbsencePayload:
        result = await family_resolvers.report_absence(
            info, str(input.child_id), input.date, input.reason, input.client_mutation_id
        )
        entry = result.value
        day = ChildDay.from_domain(parent_views.FamilyDay(entry.date, entry.day)) if entry else None
        errors = payload_errors(result, FamilyError, FamilyErrorCode)
        return ReportAbsencePayload(day=day, errors=errors)


# Login, code and password mutations try a secret: one per operation (reliability.md #1).
FAMILY_SINGLE_ROOT_FIELDS = frozenset(
    {
        "registerFamilyAccount",
        "familyLogin",
        "requestPasswordReset",
        "resetPassword",
        "addConnection",
    }
)
