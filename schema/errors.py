"""The user-error interface shared by every mutation payload, and its error codes.

Each payload's error-code enum is built from the services' code enums (the codes the
payload's mutations can raise), so a code is written once, in the service that owns the
rule. tests/security/test_error_codes.py proves every code a mutation can raise is in
its payload's enum.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

import strawberry

from resolvers.outcome import Outcome


@strawberry.interface(description="An expected failure: nothing was written.")
class UserError:
    field: str | None = strawberry.field(description="The input field at fault, if any.")
    message: str


class UnmappedErrorCode(RuntimeError):
    """A service raised a code its payload's enum lacks: a bug, shown as an internal error.

    The rule's message is not shown either, since the payload cannot say which rule failed.
    """


def code_enum(name: str, *sources: type[StrEnum] | StrEnum) -> type[StrEnum]:
    """A payload's GraphQL enum: the members of whole service enums, or single members
    where the payload carries only some of a service's codes; one value per code.

    mypy cannot take a built enum as a type, so each module declares the name as plain
    ``StrEnum`` under ``if TYPE_CHECKING`` and builds it otherwise.
    """
    values: dict[str, None] = {}
    for source in sources:
        members = [source] if isinstance(source, StrEnum) else list(source)
        values.update(dict.fromkeys(m.value for m in members))
    enum = StrEnum(name, [(v, v) for v in values])  # type: ignore[misc]
    return strawberry.enum(enum, name=name)


E = TypeVar("E")


def payload_errors(
    result: Outcome[Any], error_type: Callable[..., E], codes: type[StrEnum]
) -> list[E]:
    """The payload's ``errors``: one ``error_type`` per rule failure, coded in ``codes``."""
    errors = []
    for error in result.errors:
        try:
            code = codes(error.code.value)
        except ValueError:
            raise UnmappedErrorCode(f"{error.code.value} is not a {codes.__name__}") from None
        errors.append(error_type(field=error.field, message=error.message, code=code))
    return errors
