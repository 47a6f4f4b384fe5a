"""Opaque IDs: clients see UUID strings; anything else is simply "not found"."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from services.errors import NotFound


def parse_id(value: str, what: str) -> UUID:
    try:
        return UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise NotFound(what) from None


def parse_ids(values: Iterable[str], what: str) -> list[UUID]:
    return [parse_id(v, what) for v in values]
