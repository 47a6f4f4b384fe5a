"""The document limits the schema enforces, filled from Settings by the app factory."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    debug: bool = False
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_root_fields: int = 10
    # Selections after expanding fragments, all operations of the document together.
    max_cost: int = 300
