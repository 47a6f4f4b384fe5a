"""The user-error interface shared by every mutation payload."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry

from services.errors import DomainError


@strawberry.interface(description="An expected failure: nothing was written.")
class UserError:
    field: str | None = strawberry.field(description="The input field at fault, if any.")
    message: str


E = TypeVar("E", bound=Enum)


def error_code(enum: type[E], error: DomainError) -> E:
    return enum[error.code]
