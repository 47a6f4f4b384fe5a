"""Programs: labels an agency puts on enrollments (Pre-K, School age, a subsidy program)
and filters rosters, counts and guardian lists by. Agency admins create, rename and
archive them; an archived program stays on the enrollments that carry it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import Principal, StaffPrincipal, is_staff
from models.org import Program
from services import audit
from services.errors import DomainError, NotFound


class ProgramsErrorCode(StrEnum):
    """Rule failures of editing programs."""

    INVALID_NAME = "INVALID_NAME"
    DUPLICATE_NAME = "DUPLICATE_NAME"
    ARCHIVED = "ARCHIVED"


MAX_NAME_LENGTH = 100


def readable_programs(principal: Principal) -> QuerySet[Program]:
    """Every staff member of an agency reads its programs (they are labels, not records)."""
    if is_staff(principal):
        return Program.filter(agency_id=principal.agency_id)
    return Program.filter(id__in=[])


async def programs(principal: Principal, *, include_archived: bool = False) -> list[Program]:
    query = readable_programs(principal)
    if not include_archived:
        query = query.filter(archived_at__isnull=True)
    return await query.order_by("name")


async def get_program(principal: Principal, program_id: UUID) -> Program:
    """A program of the caller's agency, archived or not (filters reach back in time)."""
    program = await readable_programs(principal).get_or_none(id=program_id)
    if program is None:
        raise NotFound("Program")
    return program


async def get_open_program(principal: Principal, program_id: UUID, field: str) -> Program:
    """A program new enrollments may carry: archived ones are offered no more."""
    program = await get_program(principal, program_id)
    if program.archived_at is not None:
        raise DomainError(ProgramsErrorCode.ARCHIVED, "This program is archived.", field)
    return program


def _name(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise DomainError(
            ProgramsErrorCode.INVALID_NAME, f"Use 1 to {MAX_NAME_LENGTH} characters.", "name"
        )
    return cleaned


async def _unique(principal: StaffPrincipal, name: str, other_than: UUID | None = None) -> None:
    """Two open programs of an agency never share a name (the filter would be ambiguous)."""
    query = Program.filter(
        agency_id=principal.agency_id, name__iexact=name, archived_at__isnull=True
    )
    if other_than is not None:
        query = query.exclude(id=other_than)
    if await query.exists():
        raise DomainError(
            ProgramsErrorCode.DUPLICATE_NAME, f"A program is already named {name}.", "name"
        )


def _administered(principal: StaffPrincipal) -> QuerySet[Program]:
    if principal.is_agency_admin:
        return Program.filter(agency_id=principal.agency_id)
    return Program.filter(id__in=[])


async def create_program(principal: StaffPrincipal, name: str) -> Program:
    cleaned = _name(name)
    async with in_transaction():
        await _unique(principal, cleaned)
        program = await Program.create(agency_id=principal.agency_id, name=cleaned)
        await audit.record(
            principal,
            "program.create",
            agency_id=principal.agency_id,
            target_type="program",
            target_id=program.id,
            data={"before": None, "after": {"name": cleaned}},
        )
    return program


async def _locked(principal: StaffPrincipal, program_id: UUID) -> Program:
    program = await _administered(principal).filter(id=program_id).select_for_update().first()
    if program is None:
        raise NotFound("Program")
    if program.archived_at is not None:
        raise DomainError(ProgramsErrorCode.ARCHIVED, "This program is archived.", "programId")
    return program


async def rename_program(principal: StaffPrincipal, program_id: UUID, name: str) -> Program:
    """Every enrollment carrying the program shows the new name."""
    cleaned = _name(name)
    async with in_transaction():
        program = await _locked(principal, program_id)
        if program.name == cleaned:
            return program
        await _unique(principal, cleaned, other_than=program.id)
        before = program.name
        program.name = cleaned
        await program.save(update_fields=["name"])
        await audit.record(
            principal,
            "program.rename",
            agency_id=principal.agency_id,
            target_type="program",
            target_id=program.id,
            data={"before": {"name": before}, "after": {"name": cleaned}},
        )
    return program


async def archive_program(principal: StaffPrincipal, program_id: UUID, *, now: datetime) -> Program:
    """No new enrollment may carry it; the enrollments that do keep it, and filtering by
    it still finds them."""
    async with in_transaction():
        program = await _locked(principal, program_id)
        program.archived_at = now
        await program.save(update_fields=["archived_at"])
        await audit.record(
            principal,
            "program.archive",
            agency_id=principal.agency_id,
            target_type="program",
            target_id=program.id,
            data={"before": {"archived_at": None}, "after": {"archived_at": now.isoformat()}},
        )
    return program
