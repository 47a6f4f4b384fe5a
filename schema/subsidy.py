"""The state subsidy export: connection, matching workbench, transfer report and re-sends."""

from __future__ import annotations

import datetime
import json
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import strawberry

from auth.permissions import (
    CanEditAttendance,
    CanEditStudents,
    CanViewAttendance,
    CanViewStudents,
    IsAgencyAdmin,
)
from models import subsidy as subsidy_models
from resolvers import subsidy as subsidy_resolvers
from resolvers.context import Info
from schema.errors import UserError, code_enum, payload_errors
from schema.people import Child
from services import subsidy, subsidy_days, subsidy_matching, subsidy_report

if TYPE_CHECKING:
    SubsidyErrorCode = StrEnum
else:
    SubsidyErrorCode = code_enum("SubsidyErrorCode", subsidy.SubsidyErrorCode)

strawberry.enum(subsidy_models.MatchStatus, name="SubsidyMatchStatus")
strawberry.enum(subsidy_models.AttemptOutcome, name="SubsidyAttemptOutcome")
strawberry.enum(subsidy_models.SendCause, name="SubsidySendCause")
strawberry.enum(subsidy_days.TransferStatus, name="SubsidyTransferStatus")
strawberry.enum(subsidy_days.Reason, name="SubsidyStatusReason")
MatchStatus = subsidy_models.MatchStatus
AttemptOutcome = subsidy_models.AttemptOutcome
SendCause = subsidy_models.SendCause
TransferStatus = subsidy_days.TransferStatus
Reason = subsidy_days.Reason


@strawberry.type
class SubsidyError(UserError):
    code: SubsidyErrorCode


@strawberry.type(description="A site's link to the state system. The password is never shown.")
class SubsidyConnection:
    site_id: strawberry.ID
    provider_id: str
    connected: bool
    connected_at: datetime.datetime
    disconnected_at: datetime.datetime | None
    children_fetched_at: datetime.datetime | None = strawberry.field(
        description="When the state's list of subsidised children was last fetched."
    )
    fetch_error: str = strawberry.field(description="Why the last fetch failed, if it did.")

    @classmethod
    def from_model(cls, row: subsidy_models.SubsidyConnection) -> SubsidyConnection:
        return cls(
            site_id=strawberry.ID(str(row.site_id)),
            provider_id=row.provider_id,
            connected=row.disconnected_at is None and row.password_sealed is not None,
            connected_at=row.connected_at,
            disconnected_at=row.disconnected_at,
            children_fetched_at=row.children_fetched_at,
            fetch_error=row.fetch_error,
        )


@strawberry.type(description="A subsidised child as the state's records have them.")
class StateChildRecord:
    state_id: str
    first_name: str
    middle_name: str
    last_name: str
    date_of_birth: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StateChildRecord:
        return cls(
            state_id=str(row.get("stateId", "")),
            first_name=str(row.get("firstName", "")),
            middle_name=str(row.get("middleName") or ""),
            last_name=str(row.get("lastName", "")),
            date_of_birth=str(row.get("dateOfBirth", "")),
        )


@strawberry.type(description="One child on the matching workbench, beside the state records.")
class SubsidyMatch:
    child: Child
    status: MatchStatus
    state_id: str | None
    method: str = strawberry.field(description="BY_ID, BY_NAME, MANUAL, or empty.")
    manual: bool
    candidates: list[StateChildRecord]

    @classmethod
    def from_domain(cls, row: subsidy_matching.MatchRow) -> SubsidyMatch:
        return cls(
            child=Child.from_model(row.child),
            status=row.status,
            state_id=row.state_id,
            method=row.method,
            manual=row.manual,
            candidates=[StateChildRecord.from_row(r) for r in row.candidates],
        )


@strawberry.type(description="One transmission of a child-day: what was sent, what came back.")
class SubsidyTransmission:
    id: strawberry.ID
    started_at: datetime.datetime
    cause: SendCause
    outcome: AttemptOutcome
    state_child_id: str
    idempotency_key: str
    content_hash: str = strawberry.field(description="SHA-256 of the content sent.")
    sent: str = strawberry.field(description="The content sent, as JSON.")
    answer_code: str
    answer_message: str
    answer_text: str = strawberry.field(description="The state's answer as received.")
    receipt: str | None

    @classmethod
    def from_model(cls, row: subsidy_models.SubsidyAttempt) -> SubsidyTransmission:
        return cls(
            id=strawberry.ID(str(row.id)),
            started_at=row.started_at,
            cause=row.cause,
            outcome=row.outcome,
            state_child_id=row.state_child_id,
            idempotency_key=row.idempotency_key,
            content_hash=row.content_hash,
            sent=json.dumps(row.sent, sort_keys=True),
            answer_code=row.answer_code,
            answer_message=row.answer_message,
            answer_text=row.answer_text,
            receipt=row.receipt,
        )


@strawberry.type(description="A child-day's transfer to the state.")
class SubsidyDay:
    child: Child
    date: datetime.date
    status: TransferStatus
    reason: Reason
    state_message: str = strawberry.field(description="The state's words when it refused.")
    state_child_id: str | None
    last_attempt: SubsidyTransmission | None
    what_to_do: str = strawberry.field(
        description="What staff do about the day, for its status and reason (a refused day "
        "is not sent again by itself until re-sent, the Monday or the month-end re-send)."
    )

    @classmethod
    def from_domain(cls, row: subsidy_report.ReportDay) -> SubsidyDay:
        return cls(
            child=Child.from_model(row.child),
            date=row.date,
            status=row.status,
            reason=row.reason,
            state_message=row.state_message,
            state_child_id=row.state_id,
            last_attempt=(
                SubsidyTransmission.from_model(row.last_attempt) if row.last_attempt else None
            ),
            what_to_do=row.what_to_do,
        )


@strawberry.type(description="Child-days of a range by transfer status.")
class SubsidyCounts:
    from_date: datetime.date
    to_date: datetime.date
    transferred: int
    out_of_sync: int
    error: int


@strawberry.input
class ConnectSubsidySystemInput:
    site_id: strawberry.ID
    provider_id: str = strawberry.field(description="The provider ID the state gave.")
    password: str = strawberry.field(description="The integration password; never shown again.")


@strawberry.input
class DisconnectSubsidySystemInput:
    site_id: strawberry.ID


@strawberry.input
class MatchSubsidyChildInput:
    site_id: strawberry.ID
    child_id: strawberry.ID
    state_id: str = strawberry.field(description="A state ID from the state's list.")


@strawberry.input
class UnmatchSubsidyChildInput:
    site_id: strawberry.ID
    child_id: strawberry.ID


@strawberry.input
class ResendSubsidyDaysInput:
    site_id: strawberry.ID
    from_date: datetime.date
    to_date: datetime.date
    child_id: strawberry.ID | None = strawberry.field(
        default=None, description="One child only; every child of the site when absent."
    )


@strawberry.type
class SubsidyConnectionPayload:
    connection: SubsidyConnection | None
    errors: list[SubsidyError]


@strawberry.type
class SubsidyMatchPayload:
    match: SubsidyMatch | None
    errors: list[SubsidyError]


@strawberry.type
class ResendSubsidyDaysPayload:
    days: int = strawberry.field(description="Child-days queued for the next send.")
    errors: list[SubsidyError]


def _connection(result: Any) -> SubsidyConnectionPayload:
    return SubsidyConnectionPayload(
        connection=SubsidyConnection.from_model(result.value) if result.value else None,
        errors=payload_errors(result, SubsidyError, SubsidyErrorCode),
    )


def _match(result: Any) -> SubsidyMatchPayload:
    return SubsidyMatchPayload(
        match=SubsidyMatch.from_domain(result.value) if result.value else None,
        errors=payload_errors(result, SubsidyError, SubsidyErrorCode),
    )


@strawberry.type
class SubsidyQuery:
    @strawberry.field(permission_classes=[CanViewAttendance])
    async def subsidy_connection(
        self, info: Info, site_id: strawberry.ID
    ) -> SubsidyConnection | None:
        row = await subsidy_resolvers.connection(info, str(site_id))
        return SubsidyConnection.from_model(row) if row else None

    @strawberry.field(
        permission_classes=[CanViewStudents],
        description="Every child of the site: MATCHED, NOT_FOUND or NEEDS_REVIEW.",
    )
    async def subsidy_matches(self, info: Info, site_id: strawberry.ID) -> list[SubsidyMatch]:
        rows = await subsidy_resolvers.workbench(info, str(site_id))
        return [SubsidyMatch.from_domain(r) for r in rows]

    @strawberry.field(
        permission_classes=[CanViewAttendance],
        description="Each child-day with attendance in the range (at most 93 days).",
    )
    async def subsidy_days(
        self,
        info: Info,
        site_id: strawberry.ID,
        from_date: datetime.date,
        to_date: datetime.date,
        child_id: strawberry.ID | None = None,
        status: TransferStatus | None = None,
    ) -> list[SubsidyDay]:
        rows = await subsidy_resolvers.report(
            info, str(site_id), from_date, to_date, str(child_id) if child_id else None, status
        )
        return [SubsidyDay.from_domain(r) for r in rows]

    @strawberry.field(
        permission_classes=[CanViewAttendance],
        description="Child-days by status in the range; without dates, the site's month so far.",
    )
    async def subsidy_counts(
        self,
        info: Info,
        site_id: strawberry.ID,
        from_date: datetime.date | None = None,
        to_date: datetime.date | None = None,
    ) -> SubsidyCounts:
        c = await subsidy_resolvers.counts(info, str(site_id), from_date, to_date)
        return SubsidyCounts(
            from_date=c.first,
            to_date=c.last,
            transferred=c.transferred,
            out_of_sync=c.out_of_sync,
            error=c.error,
        )

    @strawberry.field(
        permission_classes=[CanViewAttendance],
        description="Every transmission of one child-day (its audit view), oldest first.",
    )
    async def subsidy_transmissions(
        self, info: Info, site_id: strawberry.ID, child_id: strawberry.ID, date: datetime.date
    ) -> list[SubsidyTransmission]:
        rows = await subsidy_resolvers.transmissions(info, str(site_id), str(child_id), date)
        return [SubsidyTransmission.from_model(r) for r in rows]


@strawberry.type
class SubsidyMutation:
    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Link a site to the state system; the state checks the password first.",
    )
    async def connect_subsidy_system(
        self, info: Info, input: ConnectSubsidySystemInput
    ) -> SubsidyConnectionPayload:
        return _connection(
            await subsidy_resolvers.connect(
                info, str(input.site_id), input.provider_id, input.password
            )
        )

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin], description="Stop every transfer of the site."
    )
    async def disconnect_subsidy_system(
        self, info: Info, input: DisconnectSubsidySystemInput
    ) -> SubsidyConnectionPayload:
        return _connection(await subsidy_resolvers.disconnect(info, str(input.site_id)))

    @strawberry.mutation(permission_classes=[CanEditStudents], description="Audited.")
    async def match_subsidy_child(
        self, info: Info, input: MatchSubsidyChildInput
    ) -> SubsidyMatchPayload:
        return _match(
            await subsidy_resolvers.set_match(
                info, str(input.site_id), str(input.child_id), input.state_id
            )
        )

    @strawberry.mutation(permission_classes=[CanEditStudents], description="Audited.")
    async def unmatch_subsidy_child(
        self, info: Info, input: UnmatchSubsidyChildInput
    ) -> SubsidyMatchPayload:
        return _match(
            await subsidy_resolvers.set_match(info, str(input.site_id), str(input.child_id), None)
        )

    @strawberry.mutation(
        permission_classes=[CanEditAttendance],
        description="Send child-days again with the worker's next pass. Audited.",
    )
    async def resend_subsidy_days(
        self, info: Info, input: ResendSubsidyDaysInput
    ) -> ResendSubsidyDaysPayload:
        result = await subsidy_resolvers.resend(
            info,
            str(input.site_id),
            input.from_date,
            input.to_date,
            str(input.child_id) if input.child_id else None,
        )
        return ResendSubsidyDaysPayload(
            days=result.value or 0, errors=payload_errors(result, SubsidyError, SubsidyErrorCode)
        )
