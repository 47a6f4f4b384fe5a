"""Moments: a photo and a caption shared with a child's family or a classroom."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import CanMessage, CanMessageAsStaff
from resolvers import moments as moment_resolvers
from resolvers.context import Info
from schema.errors import UserError, code_enum, payload_errors
from schema.files import Attachment
from services import attachments, moments
from services.moments import MomentView


@strawberry.type(
    description="A shared photo. A classroom moment names the classroom, never the children."
)
class Moment:
    id: strawberry.ID
    caption: str
    posted_by_name: str
    posted_at: datetime.datetime
    child_name: str | None = strawberry.field(
        description="The child's first name, on a moment shared with one child's family."
    )
    classroom_name: str | None = strawberry.field(description="On a classroom moment.")
    photo: Attachment | None = strawberry.field(description="None once deleted.")
    deleted_at: datetime.datetime | None = strawberry.field(
        description="Set when the staff member who shared it deleted it: no caption, no photo."
    )
    cursor: str = strawberry.field(description="Pass as `after` for older ones.")

    @classmethod
    def from_domain(cls, view: MomentView) -> Moment:
        m = view.moment
        return cls(
            id=strawberry.ID(str(m.id)),
            caption=m.caption,
            posted_by_name=m.posted_by_name,
            posted_at=m.posted_at,
            child_name=view.child_name,
            classroom_name=view.classroom_name,
            photo=None if m.deleted_at else Attachment.from_model(m.photo),
            deleted_at=m.deleted_at,
            cursor=view.cursor,
        )


if TYPE_CHECKING:
    MomentErrorCode = StrEnum
else:
    MomentErrorCode = code_enum(
        "MomentErrorCode", moments.MomentErrorCode, attachments.AttachmentErrorCode
    )


@strawberry.type
class MomentError(UserError):
    code: MomentErrorCode


@strawberry.input(
    description="`childId` (that child's family sees it) or `classroomId` (each family with a "
    "child enrolled there today). `photoId`: your JPEG or PNG upload, used once."
)
class ShareMomentInput:
    child_id: strawberry.ID | None = None
    classroom_id: strawberry.ID | None = None
    caption: str = strawberry.field(default="", description="Up to 1,000 characters.")
    photo_id: strawberry.ID


@strawberry.type
class ShareMomentPayload:
    moment: Moment | None
    errors: list[MomentError]


@strawberry.type
class MomentsQuery:
    @strawberry.field(
        permission_classes=[CanMessage],
        description="Parents: the moments shared with their families, newest first.",
    )
    async def moment_feed(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> list[Moment]:
        return [Moment.from_domain(v) for v in await moment_resolvers.feed(info, first, after)]

    @strawberry.field(
        permission_classes=[CanMessageAsStaff],
        description="Staff with Messaging: the newest moments shared at one of their sites.",
    )
    async def site_moments(
        self, info: Info, site_id: strawberry.ID, first: int = 20
    ) -> list[Moment]:
        found = await moment_resolvers.shared_at(info, str(site_id), first)
        return [Moment.from_domain(v) for v in found]


@strawberry.type
class MomentsMutation:
    @strawberry.mutation(
        permission_classes=[CanMessageAsStaff],
        description="Staff with Messaging share a photo with one child's family or a "
        "classroom's families. Audited without the caption.",
    )
    async def share_moment(self, info: Info, input: ShareMomentInput) -> ShareMomentPayload:
        result = await moment_resolvers.share(
            info,
            str(input.child_id) if input.child_id else None,
            str(input.classroom_id) if input.classroom_id else None,
            input.caption,
            str(input.photo_id),
        )
        return ShareMomentPayload(
            moment=Moment.from_domain(result.value) if result.value else None,
            errors=payload_errors(result, MomentError, MomentErrorCode),
        )
