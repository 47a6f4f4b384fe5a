"""Moments: staff share a photo and a caption with one child's family or a classroom.

Who sees a moment is written when it is shared: the child's family, or each family with
a child enrolled in the classroom that day (``MomentFamily``). A family's feed reads only
those rows, so it holds its own moments and nothing else; a classroom moment carries the
classroom's name and never the children's. Sharing is audited with the caption's length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from auth.principals import Grant, Principal, StaffPrincipal, is_parent, is_staff
from models.moments import Moment, MomentFamily
from models.people import Child, Enrollment
from realtime.bus import EventBus
from services import attachments, audit, family_news, org, people
from services.errors import DomainError, InvalidInput, NotFound

MAX_CAPTION = 1000
MAX_PAGE = 50


class MomentErrorCode(StrEnum):
    """Rule failures of sharing a moment."""

    CHILD_OR_CLASSROOM = "CHILD_OR_CLASSROOM"
    CAPTION_TOO_LONG = "CAPTION_TOO_LONG"


@dataclass(frozen=True)
class MomentView:
    moment: Moment
    # Only on a one-child moment: the family's own child.
    child_name: str | None
    classroom_name: str | None
    cursor: str


def _staff(principal: Principal) -> StaffPrincipal:
    if not (is_staff(principal) and principal.has(Grant.MESSAGING)):
        raise NotFound("Moment")
    return principal


def _caption(text: str) -> str:
    if len(text) > MAX_CAPTION:
        raise DomainError(
            MomentErrorCode.CAPTION_TOO_LONG,
            f"A caption holds at most {MAX_CAPTION} characters.",
            "caption",
        )
    return text.strip()


async def _audience(
    principal: StaffPrincipal, child_id: UUID | None, classroom_id: UUID | None, now: datetime
) -> tuple[UUID, Child | None, UUID | None, list[UUID]]:
    """The site, the child or classroom, and the families that will see the moment."""
    if (child_id is None) == (classroom_id is None):
        raise DomainError(
            MomentErrorCode.CHILD_OR_CLASSROOM, "Share with one child or one classroom.", "childId"
        )
    if child_id is not None:
        child = await people.get_child(principal, child_id)
        site_id: object = child.site_id
        if site_id is None or UUID(str(site_id)) not in principal.site_ids:
            enrollment = (
                await Enrollment.filter(
                    child_id=child.id, classroom__site_id__in=list(principal.site_ids)
                )
                .select_related("classroom")
                .first()
            )
            if enrollment is None:
                raise NotFound("Child")
            site_id = enrollment.classroom.site_id
        return UUID(str(site_id)), child, None, [UUID(str(child.family_id))]
    assert classroom_id is not None
    classroom = await org.get_classroom(principal, classroom_id)
    day = org.local_date(classroom.site, now)
    families = await (
        Child.filter(
            id__in=Subquery(
                people.active_enrollments(day).filter(classroom_id=classroom.id).values("child_id")
            )
        )
        .distinct()
        .values_list("family_id", flat=True)
    )
    return UUID(str(classroom.site_id)), None, classroom.id, [UUID(str(f)) for f in families]


async def share(
    principal: Principal,
    *,
    child_id: UUID | None,
    classroom_id: UUID | None,
    caption: str,
    photo_id: UUID,
    now: datetime,
    bus: EventBus,
) -> MomentView:
    """Store the moment and who sees it, using the staff member's uploaded photo; the
    parents not connected get a notice."""
    staff = _staff(principal)
    text = _caption(caption)
    site_id, child, room, families = await _audience(staff, child_id, classroom_id, now)
    absent = await family_news.absent_members(bus, families)
    async with in_transaction():
        photo = await attachments.claim(staff, photo_id, now, images_only=True)
        moment = await Moment.create(
            agency_id=staff.agency_id,
            site_id=site_id,
            child_id=child.id if child else None,
            classroom_id=room,
            caption=text,
            photo_id=photo.id,
            posted_by_id=staff.user_id,
            posted_by_name=staff.name,
            posted_at=now,
        )
        await MomentFamily.bulk_create(
            [MomentFamily(moment_id=moment.id, family_id=f, posted_at=now) for f in families]
        )
        await audit.record(
            staff,
            "moments.share",
            agency_id=staff.agency_id,
            target_type="moment",
            target_id=moment.id,
            data={"caption_length": len(text), "families": len(families)},
        )
        await family_news.notify(staff.agency_id, absent, family_news.MOMENT, str(moment.id), now)
    found = await Moment.filter(id=moment.id).select_related("photo", "child", "classroom")
    return _view(found[0], str(moment.id), with_child=True)


def _view(moment: Moment, cursor: str, *, with_child: bool) -> MomentView:
    child = moment.child if moment.child_id else None
    return MomentView(
        moment=moment,
        child_name=f"{child.first_name}" if child is not None and with_child else None,
        classroom_name=moment.classroom.name if moment.classroom_id and moment.classroom else None,
        cursor=cursor,
    )


def tombstone_view(moment: Moment) -> MomentView:
    """A deleted moment as its poster sees it after deleting it."""
    return _view(moment, str(moment.id), with_child=True)


def _page(first: int, after: str | None) -> int | None:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"Ask for 1 to {MAX_PAGE} moments.", "first")
    if after is not None and not after.isdigit():
        raise InvalidInput("Unknown cursor.", "after")
    return int(after) if after is not None else None


async def feed(principal: Principal, first: int, after: str | None) -> list[MomentView]:
    """A parent's moments, newest first: only those shared with their own families."""
    if not is_parent(principal):
        raise NotFound("Moment")
    before = _page(first, after)
    rows = MomentFamily.filter(
        family_id__in=list(principal.family_ids),
        moment__agency_id__in=list(principal.agency_ids),
    )
    if before is not None:
        rows = rows.filter(id__lt=before)
    found = (
        await rows.select_related("moment__photo", "moment__child", "moment__classroom")
        .order_by("-id")
        .limit(first)
    )
    seen: set[str] = set()
    views = []
    for row in found:
        if str(row.moment_id) not in seen:
            seen.add(str(row.moment_id))
            views.append(_view(row.moment, str(row.id), with_child=True))
    return views


async def shared_at(principal: Principal, site_id: UUID, first: int) -> list[MomentView]:
    """Staff with Messaging: the newest moments shared at one of their sites."""
    staff = _staff(principal)
    site = await org.get_site(staff, site_id)
    _page(first, None)
    found = (
        await Moment.filter(site_id=site.id, agency_id=staff.agency_id)
        .select_related("photo", "child", "classroom")
        .order_by("-posted_at")
        .limit(first)
    )
    return [_view(m, str(m.id), with_child=True) for m in found]
