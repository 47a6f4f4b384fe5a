"""Turning service exceptions into what GraphQL callers see.

Rule failures become payload ``errors`` (nothing was written); a missing or foreign object
becomes a ``NOT_FOUND`` error and malformed input a ``BAD_USER_INPUT`` error, both raised.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from uuid import UUID

from graphql import GraphQLError

from services.errors import DomainError, DomainErrors, InvalidInput, NotFound
from services.ids import parse_id

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T | None = None
    errors: list[DomainError] = field(default_factory=list)


def not_found(what: str) -> GraphQLError:
    return GraphQLError(f"{what} not found.", extensions={"code": "NOT_FOUND"})


def object_id(value: str, what: str) -> UUID:
    """A client-supplied ID; a malformed one is just another unknown object."""
    try:
        return parse_id(value, what)
    except NotFound:
        raise not_found(what) from None


def bad_input(message: str, field_name: str | None = None) -> GraphQLError:
    extensions: dict[str, object] = {"code": "BAD_USER_INPUT"}
    if field_name:
        extensions["field"] = field_name
    return GraphQLError(message, extensions=extensions)


async def raising(call: Awaitable[T]) -> T:
    """For queries: missing objects and bad input become GraphQL errors."""
    try:
        return await call
    except NotFound as e:
        raise not_found(e.what) from None
    except InvalidInput as e:
        raise bad_input(str(e), e.field) from None


async def outcome(call: Awaitable[T]) -> Outcome[T]:
    """For mutations: rule failures become payload errors."""
    try:
        return Outcome(value=await raising(call))
    except DomainError as e:
        return Outcome(errors=[e])
    except DomainErrors as e:
        return Outcome(errors=e.errors)
