"""Programs: labels an agency puts on enrollments, and filters lists by."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

import strawberry

from auth.permissions import IsAgencyAdmin, IsStaff
from models import org as org_models
from resolvers import programs as program_resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome
from schema.errors import UserError, code_enum, payload_errors
from services import programs


@strawberry.type(description="A label on enrollments (Pre-K, School age, a subsidy program).")
class Program:
    id: strawberry.ID
    name: str
    archived_at: datetime.datetime | None = strawberry.field(
        description="Set once archived: offered for no new enrollment, kept on old ones."
    )

    @classmethod
    def from_model(cls, program: org_models.Program) -> Program:
        return cls(
            id=strawberry.ID(str(program.id)), name=program.name, archived_at=program.archived_at
        )


if TYPE_CHECKING:
    ProgramErrorCode = StrEnum
else:
    ProgramErrorCode = code_enum("ProgramErrorCode", programs.ProgramsErrorCode)


@strawberry.type
class ProgramError(UserError):
    code: ProgramErrorCode


@strawberry.input
class CreateProgramInput:
    name: str = strawberry.field(description="1 to 100 characters, unique among open programs.")


@strawberry.input
class RenameProgramInput:
    program_id: strawberry.ID
    name: str


@strawberry.input
class ArchiveProgramInput:
    program_id: strawberry.ID


@strawberry.type
class ProgramPayload:
    program: Program | None
    errors: list[ProgramError]


@strawberry.type
class CreateProgramPayload(ProgramPayload):
    pass


@strawberry.type
class RenameProgramPayload(ProgramPayload):
    pass


@strawberry.type
class ArchiveProgramPayload(ProgramPayload):
    pass


P = TypeVar("P", bound=ProgramPayload)


def _payload(kind: type[P], result: Outcome[org_models.Program]) -> P:
    return kind(
        program=Program.from_model(result.value) if result.value else None,
        errors=payload_errors(result, ProgramError, ProgramErrorCode),
    )


@strawberry.type
class ProgramQuery:
    @strawberry.field(permission_classes=[IsStaff], description="Your agency's programs, by name.")
    async def programs(self, info: Info, include_archived: bool = False) -> list[Program]:
        found = await program_resolvers.programs_list(info, include_archived)
        return [Program.from_model(p) for p in found]


@strawberry.type
class ProgramMutation:
    @strawberry.mutation(permission_classes=[IsAgencyAdmin], description="Audited.")
    async def create_program(self, info: Info, input: CreateProgramInput) -> CreateProgramPayload:
        result = await program_resolvers.create_program(info, input.name)
        return _payload(CreateProgramPayload, result)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Every enrollment carrying it shows the new name. Audited.",
    )
    async def rename_program(self, info: Info, input: RenameProgramInput) -> RenameProgramPayload:
        result = await program_resolvers.rename_program(info, str(input.program_id), input.name)
        return _payload(RenameProgramPayload, result)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="No new enrollment may carry it; enrollments that do keep it. Audited.",
    )
    async def archive_program(
        self, info: Info, input: ArchiveProgramInput
    ) -> ArchiveProgramPayload:
        result = await program_resolvers.archive_program(info, str(input.program_id))
        return _payload(ArchiveProgramPayload, result)
