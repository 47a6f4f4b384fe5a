"""Programs: the agency's enrollment labels."""

from __future__ import annotations

from uuid import UUID

from models.org import Program
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome
from services import programs


async def programs_list(info: Info, include_archived: bool) -> list[Program]:
    return await programs.programs(info.context.principal, include_archived=include_archived)


async def program_of(info: Info, program_id: UUID) -> Program | None:
    """The program an enrollment the caller already reached carries."""
    return await info.context.loaders.programs_by_id.load(program_id)


async def create_program(info: Info, name: str) -> Outcome[Program]:
    return await outcome(programs.create_program(info.context.staff, name))


async def rename_program(info: Info, program_id: str, name: str) -> Outcome[Program]:
    return await outcome(
        programs.rename_program(info.context.staff, object_id(program_id, "Program"), name)
    )


async def archive_program(info: Info, program_id: str) -> Outcome[Program]:
    ctx = info.context
    return await outcome(
        programs.archive_program(ctx.staff, object_id(program_id, "Program"), now=ctx.now())
    )
