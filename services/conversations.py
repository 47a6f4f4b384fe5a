"""Conversations: who may read which, opening them on first use, lists and unread counts.

Staff with the Messaging grant reach the conversations of their sites; staff without it
reach none. A parent reaches their own families' conversations and the announcements of
the classrooms their children are enrolled in today. Kiosks reach nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import Grant, ParentPrincipal, Principal, is_parent, is_staff
from models.messaging import (
    Conversation,
    ConversationKind,
    ConversationReader,
    Message,
    ParticipantKind,
)
from models.people import Child, Enrollment, Family, FamilyAdult
from services import org, people
from services.errors import DomainError, InvalidInput, NotFound


class ConversationErrorCode(StrEnum):
    """Rule failures of opening a conversation."""

    # A parent whose account reaches several families at the site must say which.
    FAMILY_REQUIRED = "FAMILY_REQUIRED"
    # Staff open either a family's conversation or a classroom's announcements.
    FAMILY_OR_CLASSROOM = "FAMILY_OR_CLASSROOM"


MAX_LIST = 100


@dataclass(frozen=True)
class Participant:
    """Who reads or writes: a staff user or a family account, as others see them."""

    kind: ParticipantKind
    id: UUID
    name: str


@dataclass(frozen=True)
class ConversationView:
    conversation: Conversation
    title: str
    unread: int
    last_message: Message | None


def may_message(principal: Principal) -> bool:
    """Staff with the Messaging grant, or a family account."""
    return (is_staff(principal) and principal.has(Grant.MESSAGING)) or is_parent(principal)


async def current_classrooms(principal: ParentPrincipal, now: datetime) -> list[UUID]:
    """The classrooms the parent's children are enrolled in on their site's local today."""
    enrollments = await Enrollment.filter(
        child_id__in=Subquery(people.readable_children(principal).values("id")),
        starts_on__lte=(now + timedelta(days=1)).date(),
    ).select_related("classroom__site")
    found = []
    for enrollment in enrollments:
        today = org.local_date(enrollment.classroom.site, now)
        if enrollment.starts_on <= today and (
            enrollment.ends_on is None or enrollment.ends_on >= today
        ):
            found.append(enrollment.classroom.id)
    return found


async def readable_conversations(principal: Principal, now: datetime) -> QuerySet[Conversation]:
    """The conversations the caller may read: every read of one starts here."""
    if is_staff(principal) and principal.has(Grant.MESSAGING):
        return Conversation.filter(
            agency_id=principal.agency_id, site_id__in=list(principal.site_ids)
        )
    if is_parent(principal):
        rooms = await current_classrooms(principal, now)
        return Conversation.filter(
            Q(
                kind=ConversationKind.FAMILY,
                family_id__in=list(principal.family_ids),
                agency_id__in=list(principal.agency_ids),
            )
            | Q(kind=ConversationKind.CLASSROOM, classroom_id__in=rooms)
        )
    return Conversation.filter(id__in=[])


async def get_conversation(
    principal: Principal, conversation_id: UUID, now: datetime
) -> Conversation:
    found = (
        await (await readable_conversations(principal, now))
        .filter(id=conversation_id)
        .select_related("site", "family", "classroom")
        .first()
    )
    if found is None:
        raise NotFound("Conversation")
    return found


async def participant(principal: Principal, conversation: Conversation) -> Participant:
    """The caller as a participant: a parent is named after their guardian record in the
    conversation's family (any of theirs for an announcement)."""
    if is_staff(principal):
        return Participant(ParticipantKind.STAFF, principal.user_id, principal.name)
    assert is_parent(principal), "only staff and parents take part"
    adults = FamilyAdult.filter(id__in=list(principal.adult_ids), removed_at__isnull=True)
    if conversation.family_id is not None:
        adults = adults.filter(family_id=conversation.family_id)
    adult = await adults.order_by("guardian_slot").first()
    name = adult.display_name if adult is not None else principal.login
    return Participant(ParticipantKind.PARENT, principal.account_id, name)


# --- opening ---------------------------------------------------------------------------------


async def open_conversation(
    principal: Principal,
    *,
    site_id: UUID | None,
    family_id: UUID | None,
    classroom_id: UUID | None,
    now: datetime,
) -> ConversationView:
    """The family's conversation at a site (or a classroom's announcements), created on
    first use. Parents may leave the family out when they have one family at the site."""
    if not may_message(principal):
        raise NotFound("Conversation")
    found = await _opened(
        principal, site_id=site_id, family_id=family_id, classroom_id=classroom_id, now=now
    )
    await found.fetch_related("site", "family", "classroom")
    return (await views(principal, [found]))[0]


async def _opened(
    principal: Principal,
    *,
    site_id: UUID | None,
    family_id: UUID | None,
    classroom_id: UUID | None,
    now: datetime,
) -> Conversation:
    """Which conversation the arguments name: a classroom's (staff) or a family's."""
    if is_staff(principal) and classroom_id is not None and family_id is None:
        classroom = await org.get_classroom(principal, classroom_id)
        return await _get_or_create(
            agency_id=classroom.site.agency_id,
            site_id=classroom.site_id,
            kind=ConversationKind.CLASSROOM,
            classroom_id=classroom.id,
            now=now,
        )
    if site_id is None or classroom_id is not None:
        raise DomainError(
            ConversationErrorCode.FAMILY_OR_CLASSROOM,
            "Give a site and a family, or (staff) a classroom.",
            "siteId",
        )
    family = await _family_at_site(principal, site_id, family_id)
    return await _get_or_create(
        agency_id=family.agency_id,
        site_id=site_id,
        kind=ConversationKind.FAMILY,
        family_id=family.id,
        now=now,
    )


async def _family_at_site(principal: Principal, site_id: UUID, family_id: UUID | None) -> Family:
    """A family the caller reaches with a child registered or enrolled at the site."""
    at_site = Child.filter(Q(site_id=site_id) | Q(enrollments__classroom__site_id=site_id))
    if is_staff(principal):
        await org.get_site(principal, site_id)
        if family_id is None:
            raise InvalidInput("Staff must name the family.", "familyId")
        family = await people.get_family(principal, family_id)
        families = [family] if await at_site.filter(family_id=family.id).exists() else []
    else:
        assert is_parent(principal), "only staff and parents open conversations"
        wanted = [family_id] if family_id is not None else list(principal.family_ids)
        mine = [f for f in wanted if f in principal.family_ids]
        ids = (
            await at_site.filter(family_id__in=mine).distinct().values_list("family_id", flat=True)
        )
        families = await Family.filter(id__in=list(ids), agency_id__in=list(principal.agency_ids))
    if not families:
        raise NotFound("Family" if family_id is not None else "Site")
    if len(families) > 1:
        raise DomainError(
            ConversationErrorCode.FAMILY_REQUIRED,
            "You have more than one family at this site: choose one.",
            "familyId",
        )
    return families[0]


async def _get_or_create(
    *,
    agency_id: UUID | str,
    site_id: UUID | str,
    kind: ConversationKind,
    now: datetime,
    family_id: UUID | None = None,
    classroom_id: UUID | None = None,
) -> Conversation:
    """One conversation per family and site, one per classroom, even when two race."""
    key = {"classroom_id": classroom_id} if classroom_id else {"site_id": site_id}
    if family_id is not None:
        key["family_id"] = family_id
    found = await Conversation.get_or_none(**key)
    if found is not None:
        return found
    try:
        async with in_transaction():
            return await Conversation.create(
                agency_id=agency_id,
                site_id=site_id,
                kind=kind,
                family_id=family_id,
                classroom_id=classroom_id,
                created_at=now,
            )
    except IntegrityError:
        return await Conversation.get(**key)


# --- lists and unread counts -------------------------------------------------------------------


async def conversations(
    principal: Principal, site_id: UUID | None, first: int, now: datetime
) -> list[ConversationView]:
    """Conversations with at least one message, the most recently active first."""
    if not 1 <= first <= MAX_LIST:
        raise InvalidInput(f"Ask for 1 to {MAX_LIST} conversations.", "first")
    query = (await readable_conversations(principal, now)).filter(last_message_id__isnull=False)
    if site_id is not None:
        query = query.filter(site_id=site_id)
    found = (
        await query.select_related("site", "family", "classroom")
        .order_by("-last_message_id")
        .limit(first)
    )
    return await views(principal, found)


async def views(principal: Principal, found: list[Conversation]) -> list[ConversationView]:
    """Titles, unread counts and last messages: three queries for any number."""
    unread = await unread_counts(principal, found)
    last_ids = [c.last_message_id for c in found if c.last_message_id]
    last = {m.id: m for m in await Message.filter(id__in=last_ids)} if last_ids else {}
    return [
        ConversationView(
            conversation=c,
            title=_title(c),
            unread=unread.get(str(c.id), 0),
            last_message=last.get(c.last_message_id) if c.last_message_id else None,
        )
        for c in found
    ]


def _title(conversation: Conversation) -> str:
    if conversation.kind is ConversationKind.CLASSROOM and conversation.classroom:
        return conversation.classroom.name
    return conversation.family.name if conversation.family else ""


def _own(principal: Principal) -> tuple[ParticipantKind, UUID] | None:
    if is_staff(principal):
        return ParticipantKind.STAFF, principal.user_id
    if is_parent(principal):
        return ParticipantKind.PARENT, principal.account_id
    return None


async def unread_counts(principal: Principal, found: list[Conversation]) -> dict[str, int]:
    """Messages after the caller's read pointer, per conversation. Staff count what
    families wrote; parents count everything but their own account's messages."""
    me = _own(principal)
    moved = [c for c in found if c.last_message_id]
    if me is None or not moved:
        return {}
    pointers = dict(
        await ConversationReader.filter(
            conversation_id__in=[c.id for c in moved], reader_kind=me[0], reader_id=me[1]
        ).values_list("conversation_id", "last_read_message_id")
    )
    pointers = {str(k): v for k, v in pointers.items()}
    behind = [c for c in moved if (c.last_message_id or 0) > pointers.get(str(c.id), 0)]
    if not behind:
        return {}
    never = [c.id for c in behind if str(c.id) not in pointers]
    where = Q(conversation_id__in=never) if never else Q(id__in=[])
    for c in behind:
        if str(c.id) in pointers:
            where |= Q(conversation_id=c.id, id__gt=pointers[str(c.id)])
    # A deleted message left nothing to read.
    query = Message.filter(where, deleted_at__isnull=True)
    if me[0] is ParticipantKind.STAFF:
        query = query.filter(sender_kind=ParticipantKind.PARENT)
    else:
        query = query.filter(~Q(sender_kind=ParticipantKind.PARENT, sender_id=me[1]))
    rows = (
        await query.annotate(n=Count("id"))
        .group_by("conversation_id")
        .values_list("conversation_id", "n")
    )
    return {str(conversation): int(n) for conversation, n in rows}


async def total_unread(principal: Principal, now: datetime) -> int:
    """``viewer { unreadMessages }``: 0 for anyone who may not message."""
    if not may_message(principal):
        return 0
    found = (
        await (await readable_conversations(principal, now))
        .filter(last_message_id__isnull=False)
        .only("id", "last_message_id")
    )
    return sum((await unread_counts(principal, list(found))).values())
