"""Documents between a family and its agency.

Staff with Messaging post documents to a family they reach (a form to sign, a handbook);
the family's guardians read them and submit documents back (a doctor's note, an
immunisation record); staff see everything a family submitted. Each document is an
uploaded file (``POST /files``) used once. Posting and submitting are audited with the
title's length, never the title or the file.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import Grant, Principal, is_parent, is_staff
from models.documents import DocumentDirection, FamilyDocument
from models.messaging import ParticipantKind
from models.people import Family, FamilyAdult
from realtime.bus import EventBus
from services import attachments, audit, family_news, people
from services.errors import DomainError, NotFound

MAX_TITLE = 200
MAX_LIST = 200


class DocumentErrorCode(StrEnum):
    """Rule failures of posting or submitting a document."""

    TITLE_REQUIRED = "TITLE_REQUIRED"
    TITLE_TOO_LONG = "TITLE_TOO_LONG"
    # A parent whose account reaches several families must say which.
    FAMILY_REQUIRED = "FAMILY_REQUIRED"


def _title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise DomainError(DocumentErrorCode.TITLE_REQUIRED, "Give the document a title.", "title")
    if len(title) > MAX_TITLE:
        raise DomainError(
            DocumentErrorCode.TITLE_TOO_LONG,
            f"A title holds at most {MAX_TITLE} characters.",
            "title",
        )
    return title


def _staff_may(principal: Principal) -> bool:
    return is_staff(principal) and principal.has(Grant.MESSAGING)


async def _family(principal: Principal, family_id: UUID | None) -> Family:
    """A family the caller reaches: staff through their sites' children, a parent their
    own (the only one, when they leave it out)."""
    if _staff_may(principal):
        if family_id is None:
            raise NotFound("Family")
        return await people.get_family(principal, family_id)
    if not is_parent(principal):
        raise NotFound("Family")
    mine = sorted(principal.family_ids, key=str)
    if family_id is None and len(mine) > 1:
        raise DomainError(
            DocumentErrorCode.FAMILY_REQUIRED, "You have several families: choose one.", "familyId"
        )
    wanted = family_id if family_id is not None else (mine[0] if mine else None)
    if wanted is None or wanted not in principal.family_ids:
        raise NotFound("Family")
    found = await Family.get_or_none(id=wanted, agency_id__in=list(principal.agency_ids))
    if found is None:
        raise NotFound("Family")
    return found


async def _poster_name(principal: Principal, family: Family) -> str:
    if is_staff(principal):
        return principal.name
    assert is_parent(principal), "only staff and parents post documents"
    adult = (
        await FamilyAdult.filter(
            id__in=list(principal.adult_ids), family_id=family.id, removed_at__isnull=True
        )
        .order_by("guardian_slot")
        .first()
    )
    return adult.display_name if adult is not None else principal.login


async def add(
    principal: Principal,
    family_id: UUID | None,
    title: str,
    file_id: UUID,
    now: datetime,
    *,
    bus: EventBus,
) -> FamilyDocument:
    """Staff post to a family (TO_FAMILY), whose parents not connected get a notice; a
    parent submits for their own (FROM_FAMILY)."""
    text = _title(title)
    family = await _family(principal, family_id)
    kind, who = attachments.owner(principal)
    name = await _poster_name(principal, family)
    direction = (
        DocumentDirection.TO_FAMILY
        if kind is ParticipantKind.STAFF
        else DocumentDirection.FROM_FAMILY
    )
    staff = kind is ParticipantKind.STAFF
    absent = await family_news.absent_members(bus, [family.id]) if staff else []
    async with in_transaction():
        stored = await attachments.claim(principal, file_id, now)
        document = await FamilyDocument.create(
            agency_id=family.agency_id,
            family_id=family.id,
            direction=direction,
            title=text,
            file_id=stored.id,
            posted_by_kind=kind,
            posted_by_id=who,
            posted_by_name=name,
            posted_at=now,
        )
        await audit.record(
            principal,
            "documents.post" if kind is ParticipantKind.STAFF else "documents.submit",
            agency_id=family.agency_id,
            target_type="family_document",
            target_id=document.id,
            data={"family": str(family.id), "title_length": len(text)},
        )
        await family_news.notify(
            family.agency_id, absent, family_news.DOCUMENT, str(document.id), now
        )
    await document.fetch_related("file")
    return document


def readable_documents(principal: Principal) -> QuerySet[FamilyDocument]:
    """Staff with Messaging: the families they reach. Parents: their own families."""
    if _staff_may(principal):
        families = people.readable_families(principal).values("id")
        return FamilyDocument.filter(family_id__in=Subquery(families))
    if is_parent(principal):
        return FamilyDocument.filter(
            family_id__in=list(principal.family_ids), agency_id__in=list(principal.agency_ids)
        )
    return FamilyDocument.filter(id__in=[])


async def documents(
    principal: Principal, family_id: UUID | None, direction: DocumentDirection | None
) -> list[FamilyDocument]:
    """Newest first; staff name the family, parents may leave it out (all of theirs)."""
    query = readable_documents(principal)
    if _staff_may(principal):
        if family_id is None:
            raise NotFound("Family")
        await people.get_family(principal, family_id)  # a family they do not reach: NOT_FOUND
    if family_id is not None:
        query = query.filter(family_id=family_id)
    if direction is not None:
        query = query.filter(direction=direction)
    return await query.select_related("file").order_by("-posted_at").limit(MAX_LIST)
