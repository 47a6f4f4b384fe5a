"""The root Query and Mutation, merged from the domains, and the Schema factory."""

from __future__ import annotations

import datetime

import strawberry
from strawberry.schema.config import StrawberryConfig

from auth.permissions import (
    AllowAnyone,
    CanEditAttendance,
    CanEditStudents,
    CanSignChildren,
    CanViewAttendance,
    CanViewStudents,
    IsAgencyAdmin,
    IsAuthenticated,
    IsKiosk,
    IsSiteAdmin,
    IsStaff,
    IsStaffOrParent,
)
from auth.principals import is_kiosk, is_parent, is_staff
from resolvers import access as access_resolvers
from resolvers import attendance as attendance_resolvers
from resolvers import family as family_resolvers
from resolvers import kiosk as kiosk_resolvers
from resolvers import org as org_resolvers
from resolvers import people as people_resolvers
from resolvers.context import Info
from schema.access import (
    AuthError,
    AuthErrorCode,
    AuthPayload,
    LogoutPayload,
    StaffLoginInput,
    StaffViewer,
)
from schema.activities import ActivityMutation, ActivityQuery
from schema.application_accounts import ApplicationAccountMutation
from schema.application_setup import ApplicationSetupMutation, ApplicationSetupQuery
from schema.applications import ApplicationMutation, ApplicationQuery
from schema.attendance import (
    AttendanceError,
    AttendanceErrorCode,
    LiveCounts,
    MarkAbsentInput,
    MarkAbsentPayload,
    RosterEntry,
    SignInInput,
    SignInPayload,
    SignOutInput,
    SignOutPayload,
)
from schema.confirmations import ConfirmationMutation, ConfirmationQuery
from schema.day_close import DayCloseQuery
from schema.documents import DocumentsMutation, DocumentsQuery
from schema.enrollments import EnrollmentMutation
from schema.errors import payload_errors
from schema.extensions import Schema, hardening_extensions
from schema.family import FAMILY_SINGLE_ROOT_FIELDS, FamilyMutation, FamilyQuery
from schema.family_records import FamilyRecordMutation
from schema.kiosk import (
    Kiosk,
    KioskError,
    KioskErrorCode,
    KioskViewer,
    PairKioskInput,
    PairKioskPayload,
    RevokeKioskInput,
    RevokeKioskPayload,
)
from schema.limits import Limits
from schema.live import Subscription
from schema.messaging import MessagingMutation, MessagingQuery
from schema.moments import MomentsMutation, MomentsQuery
from schema.my_applications import MyApplicationMutation, MyApplicationQuery
from schema.org import AssignStaffRoleInput, AssignStaffRolePayload, Classroom, Site
from schema.parent_viewer import ParentViewer, Viewer
from schema.people import (
    Child,
    ChildMutation,
    PeopleError,
    PeopleErrorCode,
    UpdateChildInput,
    UpdateChildPayload,
)
from schema.pin_care import PinCareMutation
from schema.pinpad import PIN_PAD_SINGLE_ROOT_FIELDS, PinPadMutation
from schema.programs import ProgramMutation, ProgramQuery
from schema.removals import RemovalsMutation
from schema.reports import ReportMutation
from schema.roster_import import RosterImportMutation
from schema.scalars import SCALAR_MAP
from schema.sign_in_guide import SignInGuideMutation
from schema.site_settings import SettingsMutation
from schema.sites import SiteMutation
from schema.staff import STAFF_SINGLE_ROOT_FIELDS, StaffMutation, StaffQuery
from schema.submissions import (
    SUBMISSION_SINGLE_ROOT_FIELDS,
    SubmissionMutation,
    SubmissionQuery,
)
from schema.subsidy import SubsidyMutation, SubsidyQuery
from schema.sync import SyncMutation, SyncQuery
from schema.transport import SubscriptionsOverWebSocket
from schema.validation import QuietExecutor


@strawberry.type
class Query(
    FamilyQuery,
    SubmissionQuery,
    ConfirmationQuery,
    ProgramQuery,
    ApplicationQuery,
    ApplicationSetupQuery,
    MyApplicationQuery,
    StaffQuery,
    DayCloseQuery,
    SyncQuery,
    MessagingQuery,
    ActivityQuery,
    DocumentsQuery,
    MomentsQuery,
    SubsidyQuery,
):
    @strawberry.field(
        permission_classes=[AllowAnyone], description="The caller, or null when signed out."
    )
    def viewer(self, info: Info) -> Viewer | None:
        principal = info.context.principal
        if is_staff(principal):
            return StaffViewer.from_principal(principal)
        if is_parent(principal):
            return ParentViewer.from_principal(principal)
        if is_kiosk(principal):
            return KioskViewer.from_principal(principal)
        return None

    @strawberry.field(
        permission_classes=[IsKiosk], description="The calling kiosk: its own site only."
    )
    async def kiosk(self, info: Info) -> Kiosk:
        return Kiosk.from_model(await kiosk_resolvers.current(info))

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Sites you may see; archived ones (kept for their history) when asked.",
    )
    async def sites(self, info: Info, include_archived: bool = False) -> list[Site]:
        return [Site.from_model(s) for s in await org_resolvers.sites(info, include_archived)]

    @strawberry.field(permission_classes=[IsStaff])
    async def classroom(self, info: Info, id: strawberry.ID) -> Classroom:
        return Classroom.from_model(await org_resolvers.classroom(info, str(id)))

    @strawberry.field(
        permission_classes=[CanViewAttendance],
        description=(
            "Counts for the site's local today, for one classroom or program when given. "
            "Archived classrooms count no more."
        ),
    )
    async def live_counts(
        self,
        info: Info,
        site_id: strawberry.ID,
        classroom_id: strawberry.ID | None = None,
        program_id: strawberry.ID | None = None,
    ) -> LiveCounts:
        counts = await attendance_resolvers.live_counts(
            info,
            str(site_id),
            str(classroom_id) if classroom_id is not None else None,
            str(program_id) if program_id is not None else None,
        )
        return LiveCounts.from_domain(counts)

    @strawberry.field(permission_classes=[CanViewStudents])
    async def child(self, info: Info, id: strawberry.ID) -> Child:
        return Child.from_model(await people_resolvers.child(info, str(id)))

    @strawberry.field(
        permission_classes=[CanViewStudents],
        description="Children enrolled in a classroom on a day (default: the site's today).",
    )
    async def children(
        self, info: Info, classroom_id: strawberry.ID, date: datetime.date | None = None
    ) -> list[Child]:
        found = await people_resolvers.children(info, str(classroom_id), date)
        return [Child.from_model(c) for c in found]


@strawberry.type
class Mutation(
    SyncMutation,
    PinPadMutation,
    PinCareMutation,
    SignInGuideMutation,
    SettingsMutation,
    FamilyMutation,
    SubmissionMutation,
    ConfirmationMutation,
    SiteMutation,
    ProgramMutation,
    ApplicationMutation,
    ApplicationSetupMutation,
    ApplicationAccountMutation,
    MyApplicationMutation,
    FamilyRecordMutation,
    ChildMutation,
    EnrollmentMutation,
    RosterImportMutation,
    StaffMutation,
    MessagingMutation,
    ActivityMutation,
    ReportMutation,
    DocumentsMutation,
    MomentsMutation,
    RemovalsMutation,
    SubsidyMutation,
):
    @strawberry.mutation(permission_classes=[AllowAnyone])
    async def staff_login(self, info: Info, input: StaffLoginInput) -> AuthPayload:
        result = await access_resolvers.staff_login(info, input.email, input.password)
        return AuthPayload(
            token=result.value,
            errors=payload_errors(result, AuthError, AuthErrorCode),
        )

    @strawberry.mutation(permission_classes=[IsStaffOrParent], description="Revokes your token.")
    async def logout(self, info: Info) -> LogoutPayload:
        if is_parent(info.context.principal):
            await family_resolvers.logout(info)
        else:
            await access_resolvers.logout(info)
        return LogoutPayload(ok=True)

    @strawberry.mutation(
        permission_classes=[CanSignChildren],
        description=(
            "Sign one child or a group in. All of them are signed in, or none. Parents sign "
            "their own children in from their phone with the code scanned at the door."
        ),
    )
    async def sign_in(self, info: Info, input: SignInInput) -> SignInPayload:
        result = await attendance_resolvers.sign_in(info, input.to_entry())
        entries = [RosterEntry.from_domain(e) for e in result.value or []]
        return SignInPayload(
            entries=entries, errors=payload_errors(result, AttendanceError, AttendanceErrorCode)
        )

    @strawberry.mutation(
        permission_classes=[CanSignChildren],
        description=(
            "Sign one child or a group out. All of them are signed out, or none. Parents "
            "sign out from their phone with the code scanned at the door."
        ),
    )
    async def sign_out(self, info: Info, input: SignOutInput) -> SignOutPayload:
        result = await attendance_resolvers.sign_out(info, input.to_entry())
        entries = [RosterEntry.from_domain(e) for e in result.value or []]
        return SignOutPayload(
            entries=entries, errors=payload_errors(result, AttendanceError, AttendanceErrorCode)
        )

    @strawberry.mutation(permission_classes=[CanEditAttendance])
    async def mark_absent(self, info: Info, input: MarkAbsentInput) -> MarkAbsentPayload:
        result = await attendance_resolvers.mark_absent(
            info, str(input.child_id), input.date, input.reason, input.client_mutation_id
        )
        entry = RosterEntry.from_domain(result.value) if result.value else None
        return MarkAbsentPayload(
            entry=entry, errors=payload_errors(result, AttendanceError, AttendanceErrorCode)
        )

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Give a staff member another role. Their open sockets are closed.",
    )
    async def assign_staff_role(
        self, info: Info, input: AssignStaffRoleInput
    ) -> AssignStaffRolePayload:
        result = await org_resolvers.assign_role(info, str(input.staff_id), str(input.role_id))
        return AssignStaffRolePayload(ok=result.value is not None)

    @strawberry.mutation(
        permission_classes=[IsSiteAdmin],
        description="Pair a tablet to one of your sites; returns its device token once.",
    )
    async def pair_kiosk(self, info: Info, input: PairKioskInput) -> PairKioskPayload:
        result = await kiosk_resolvers.pair(info, str(input.site_id), input.name)
        kiosk, token = result.value if result.value else (None, None)
        return PairKioskPayload(
            device_token=token,
            kiosk=Kiosk.from_model(kiosk) if kiosk else None,
            errors=payload_errors(result, KioskError, KioskErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[IsSiteAdmin],
        description="The tablet's token stops working at once; its open sockets close.",
    )
    async def revoke_kiosk(self, info: Info, input: RevokeKioskInput) -> RevokeKioskPayload:
        result = await kiosk_resolvers.revoke(info, str(input.kiosk_id))
        return RevokeKioskPayload(
            kiosk=Kiosk.from_model(result.value) if result.value else None,
            errors=payload_errors(result, KioskError, KioskErrorCode),
        )

    @strawberry.mutation(permission_classes=[CanEditStudents])
    async def update_child(self, info: Info, input: UpdateChildInput) -> UpdateChildPayload:
        result = await people_resolvers.update_child(info, str(input.child_id), input.to_changes())
        return UpdateChildPayload(
            child=Child.from_model(result.value) if result.value else None,
            errors=payload_errors(result, PeopleError, PeopleErrorCode),
        )


# Mutations that carry a secret (password, PIN) must be alone in their operation, so one
# request cannot try many secrets through aliases (reliability.md #1).
SINGLE_ROOT_FIELDS = (
    frozenset(
        {"staffLogin", "signIn", "signOut", "revealPins", "rePin", "sendPins", "syncAttendance"}
    )
    | PIN_PAD_SINGLE_ROOT_FIELDS
    | FAMILY_SINGLE_ROOT_FIELDS
    | SUBMISSION_SINGLE_ROOT_FIELDS
    | STAFF_SINGLE_ROOT_FIELDS
)


def build_schema(limits: Limits | None = None) -> strawberry.Schema:
    limits = limits or Limits()
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[*hardening_extensions(limits, SINGLE_ROOT_FIELDS), SubscriptionsOverWebSocket],
        config=StrawberryConfig(disable_field_suggestions=not limits.debug, scalar_map=SCALAR_MAP),
        # Validation errors are handled by BoundedValidation; this covers variable values.
        execution_context_class=None if limits.debug else QuietExecutor,
    )
