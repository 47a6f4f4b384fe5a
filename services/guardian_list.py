"""The guardian list staff read: Guardians A and B of a site's children today, each with
the state of their family account (INVITE, REINVITE or REGISTERED), and which adults a
staff member may reach at all (``readable_adults``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tortoise.queryset import QuerySet

from auth.principals import Principal, StaffPrincipal, is_staff
from models.family_accounts import GuardianLink, Invitation
from models.people import Child, FamilyAdult
from services import org, people, programs
from services.errors import InvalidInput


class OnlineState(StrEnum):
    INVITE = "INVITE"
    REINVITE = "REINVITE"
    REGISTERED = "REGISTERED"


@dataclass(frozen=True)
class OnlineAccount:
    state: OnlineState
    login: str | None
    invited_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True)
class GuardianRow:
    adult: FamilyAdult
    children: list[Child]
    account: OnlineAccount


def readable_adults(principal: Principal) -> QuerySet[FamilyAdult]:
    """Staff reach the adults of families with a child enrolled (at any time) at their sites."""
    if is_staff(principal):
        return FamilyAdult.filter(
            family__agency_id=principal.agency_id,
            family__children__enrollments__classroom__site_id__in=list(principal.site_ids),
        ).distinct()
    return FamilyAdult.filter(id__in=[])


async def guardian_rows(adults: list[FamilyAdult], children: list[Child]) -> list[GuardianRow]:
    """Each guardian with the children given and their online-account state: 2 queries."""
    ids = [a.id for a in adults]
    links = {
        str(link.adult_id): link
        for link in await GuardianLink.filter(adult_id__in=ids).select_related("account")
    }
    open_invitations: dict[str, Invitation] = {}
    for sent in await Invitation.filter(adult_id__in=ids, revoked_at__isnull=True).order_by(
        "created_at"
    ):
        open_invitations[str(sent.adult_id)] = sent  # the latest wins
    by_family: dict[str, list[Child]] = defaultdict(list)
    for child in children:
        by_family[str(child.family_id)].append(child)
    rows = []
    for adult in adults:
        link = links.get(str(adult.id))
        invitation = open_invitations.get(str(adult.id))
        if link is not None:
            account = OnlineAccount(OnlineState.REGISTERED, link.account.login, None, None)
        elif invitation is not None:
            account = OnlineAccount(
                OnlineState.REINVITE, None, invitation.created_at, invitation.expires_at
            )
        else:
            account = OnlineAccount(OnlineState.INVITE, None, None, None)
        rows.append(GuardianRow(adult, by_family[str(adult.family_id)], account))
    return rows


async def guardians(
    principal: StaffPrincipal,
    site_id: UUID,
    classroom_id: UUID | None,
    state: OnlineState | None,
    now: datetime,
    program_id: UUID | None = None,
) -> list[GuardianRow]:
    """Guardians A and B of the children enrolled at a site (or classroom, or program)
    today; archived classrooms list nobody."""
    site = await org.get_site(principal, site_id)
    enrollments = people.active_enrollments(org.local_date(site, now)).filter(
        classroom__site_id=site.id, classroom__archived_at__isnull=True
    )
    if program_id is not None:
        program = await programs.get_program(principal, program_id)
        enrollments = enrollments.filter(program_id=program.id)
    if classroom_id is not None:
        classroom = await org.get_classroom(principal, classroom_id)
        if str(classroom.site_id) != str(site.id):
            raise InvalidInput("The classroom is not at this site.", "classroomId")
        enrollments = enrollments.filter(classroom_id=classroom.id)
    children = await Child.filter(
        agency_id=principal.agency_id, id__in=[e.child_id for e in await enrollments]
    ).order_by("last_name", "first_name")
    families = {str(c.family_id) for c in children}
    adults = await FamilyAdult.filter(family_id__in=families, guardian_slot__isnull=False)
    adults.sort(key=lambda a: (a.last_name.lower(), a.first_name.lower(), a.guardian_slot or ""))
    rows = await guardian_rows(adults, children)
    return [r for r in rows if state is None or r.account.state is state]


async def guardian_row(adult: FamilyAdult, principal: StaffPrincipal) -> GuardianRow:
    children = await people.readable_children(principal).filter(family_id=adult.family_id)
    return (await guardian_rows([adult], children))[0]
