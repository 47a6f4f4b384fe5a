"""Attendance submission: staff submit a period; each family reviews and signs it by link."""

from __future__ import annotations

import datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import AllowAnyone, CanEditAttendance, CanViewAttendance
from models import people as people_models
from resolvers import submissions as submission_resolvers
from resolvers.context import Info
from schema.errors import UserError, code_enum, payload_errors
from schema.parent_viewer import ChildDay
from schema.people import ContactMethod
from services import signature_svg, submission_links, submissions

# --- staff ----------------------------------------------------------------------------------


@strawberry.enum(description="Where one family's request to sign stands.")
class SubmissionRequestStatus(Enum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    SIGNED = "SIGNED"
    EXPIRED = "EXPIRED"


@strawberry.type(description="One family's link to review and sign a submission.")
class SubmissionRequest:
    id: strawberry.ID
    family: str = strawberry.field(description="The family's name.")
    guardian: str = strawberry.field(description="The guardian who was sent the link.")
    status: SubmissionRequestStatus
    verified_at: datetime.datetime | None
    completed_at: datetime.datetime | None = strawberry.field(description="When they signed.")
    expires_at: datetime.datetime

    @classmethod
    def from_domain(cls, view: submissions.RequestView) -> SubmissionRequest:
        r = view.request
        return cls(
            id=strawberry.ID(str(r.id)),
            family=view.family_name,
            guardian=view.guardian_name,
            status=SubmissionRequestStatus[view.status.value],
            verified_at=r.verified_at,
            completed_at=r.completed_at,
            expires_at=r.expires_at,
        )


@strawberry.type(description="A period of a site's attendance sent to the families to sign.")
class AttendanceSubmission:
    id: strawberry.ID
    site_id: strawberry.ID
    from_: datetime.date = strawberry.field(name="from")
    to: datetime.date
    created_at: datetime.datetime
    requests: list[SubmissionRequest]

    @classmethod
    def from_domain(cls, view: submissions.SubmissionView) -> AttendanceSubmission:
        s = view.submission
        return cls(
            id=strawberry.ID(str(s.id)),
            site_id=strawberry.ID(str(s.site_id)),
            from_=s.period_from,
            to=s.period_to,
            created_at=s.created_at,
            requests=[SubmissionRequest.from_domain(r) for r in view.requests],
        )


@strawberry.enum(description="What happened to one family of a submission.")
class SubmissionFamilyOutcome(Enum):
    QUEUED = "QUEUED"
    NO_GUARDIAN_CONTACT = "NO_GUARDIAN_CONTACT"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"


@strawberry.type
class SubmissionFamilyResult:
    family_id: strawberry.ID
    family: str
    guardian: str | None = strawberry.field(description="Who the link went to, if anyone.")
    outcome: SubmissionFamilyOutcome

    @classmethod
    def from_domain(cls, result: submissions.FamilyResult) -> SubmissionFamilyResult:
        return cls(
            family_id=strawberry.ID(str(result.family.id)),
            family=result.family.name,
            guardian=result.guardian.display_name if result.guardian else None,
            outcome=SubmissionFamilyOutcome[result.outcome.value],
        )


# --- the family's side ----------------------------------------------------------------------


@strawberry.type(description="A child's days at the site in the period, to review.")
class SubmissionChild:
    first_name: str
    last_name: str
    days: list[ChildDay]


@strawberry.type(description="What the guardian is asked to review and sign.")
class SubmissionReview:
    site_name: str
    timezone: str = strawberry.field(description="The site's IANA zone: show times in it.")
    agency_name: str
    from_: datetime.date = strawberry.field(name="from")
    to: datetime.date
    guardian_first_name: str
    children: list[SubmissionChild]

    @classmethod
    def from_domain(cls, review: submission_links.Review) -> SubmissionReview:
        return cls(
            site_name=review.site_name,
            timezone=review.timezone,
            agency_name=review.agency_name,
            from_=review.period_from,
            to=review.period_to,
            guardian_first_name=review.guardian_first_name,
            children=[
                SubmissionChild(
                    first_name=c.child.first_name,
                    last_name=c.child.last_name,
                    days=[ChildDay.from_domain(d) for d in c.days],
                )
                for c in review.children
            ],
        )


# --- inputs, errors and payloads ------------------------------------------------------------


if TYPE_CHECKING:
    SubmissionErrorCode = StrEnum
else:
    SubmissionErrorCode = code_enum(
        "SubmissionErrorCode",
        submissions.SubmissionErrorCode,
        submission_links.SubmissionLinkErrorCode,
        signature_svg.SignatureErrorCode,
    )


@strawberry.type
class SubmissionError(UserError):
    code: SubmissionErrorCode


@strawberry.input
class SubmitAttendanceInput:
    site_id: strawberry.ID
    from_: datetime.date = strawberry.field(name="from", description="The first day.")
    to: datetime.date = strawberry.field(description="The last day, before today.")


@strawberry.type
class SubmitAttendancePayload:
    submission: AttendanceSubmission | None
    results: list[SubmissionFamilyResult]
    errors: list[SubmissionError]


@strawberry.input
class RequestSubmissionCodeInput:
    token: str = strawberry.field(description="The token of the link the guardian received.")
    channel: ContactMethod


@strawberry.type
class RequestSubmissionCodePayload:
    ok: bool = strawberry.field(
        description="Always true: a code is sent only where the link and the contact exist."
    )


@strawberry.input
class VerifySubmissionCodeInput:
    token: str
    code: str


@strawberry.type
class VerifySubmissionCodePayload:
    verified: bool
    errors: list[SubmissionError]


@strawberry.input
class SignAttendanceSubmissionInput:
    token: str
    strokes: list[list[list[float]]] = strawberry.field(
        description="The pen strokes, each a list of [x, y] points (at most 100 strokes)."
    )
    certified: bool = strawberry.field(description="The guardian certifies the attendance.")


@strawberry.type
class SignAttendanceSubmissionPayload:
    signed_at: datetime.datetime | None
    errors: list[SubmissionError]


# --- root fields ----------------------------------------------------------------------------


@strawberry.type
class SubmissionQuery:
    @strawberry.field(
        permission_classes=[CanViewAttendance],
        description="A site's latest attendance submissions and who has signed.",
    )
    async def attendance_submissions(
        self, info: Info, site_id: strawberry.ID
    ) -> list[AttendanceSubmission]:
        found = await submission_resolvers.listed(info, str(site_id))
        return [AttendanceSubmission.from_domain(s) for s in found]

    @strawberry.field(
        permission_classes=[AllowAnyone],
        description="The attendance a submission link asks its guardian to sign.",
    )
    async def attendance_submission(self, info: Info, token: str) -> SubmissionReview:
        return SubmissionReview.from_domain(await submission_resolvers.review(info, token))


@strawberry.type
class SubmissionMutation:
    @strawberry.mutation(
        permission_classes=[CanEditAttendance],
        description="Send a finished period (at most 31 days) to every family to sign.",
    )
    async def submit_attendance(
        self, info: Info, input: SubmitAttendanceInput
    ) -> SubmitAttendancePayload:
        result = await submission_resolvers.submit(info, str(input.site_id), input.from_, input.to)
        done = result.value
        return SubmitAttendancePayload(
            submission=AttendanceSubmission.from_domain(done.submission) if done else None,
            results=[SubmissionFamilyResult.from_domain(r) for r in done.results] if done else [],
            errors=payload_errors(result, SubmissionError, SubmissionErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[AllowAnyone],
        description="Send a verification code for a submission link. Same answer either way.",
    )
    async def request_submission_code(
        self, info: Info, input: RequestSubmissionCodeInput
    ) -> RequestSubmissionCodePayload:
        channel = people_models.ContactMethod(input.channel.value)
        await submission_resolvers.request_code(info, input.token, channel)
        return RequestSubmissionCodePayload(ok=True)

    @strawberry.mutation(
        permission_classes=[AllowAnyone], description="Prove who opens the link with the code."
    )
    async def verify_submission_code(
        self, info: Info, input: VerifySubmissionCodeInput
    ) -> VerifySubmissionCodePayload:
        result = await submission_resolvers.verify_code(info, input.token, input.code)
        return VerifySubmissionCodePayload(
            verified=not result.errors,
            errors=payload_errors(result, SubmissionError, SubmissionErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[AllowAnyone],
        description="Sign the submission with a drawn signature; the link is then used up.",
    )
    async def sign_attendance_submission(
        self, info: Info, input: SignAttendanceSubmissionInput
    ) -> SignAttendanceSubmissionPayload:
        result = await submission_resolvers.sign(info, input.token, input.strokes, input.certified)
        request = result.value
        return SignAttendanceSubmissionPayload(
            signed_at=request.completed_at if request else None,
            errors=payload_errors(result, SubmissionError, SubmissionErrorCode),
        )


# Each tries a secret (the link's token or a code): one per operation (reliability.md #1).
SUBMISSION_SINGLE_ROOT_FIELDS = frozenset(
    {"requestSubmissionCode", "verifySubmissionCode", "signAttendanceSubmission"}
)
