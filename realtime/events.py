"""Typed realtime events. They travel as JSON, so they carry plain values only."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class AttendanceChanged:
    """A child's attendance state changed: everything a roster row needs to redraw."""

    type: ClassVar[str] = "attendance.changed"

    agency_id: str
    site_id: str
    classroom_id: str
    child_id: str
    local_date: str
    status: str
    signed_in_at: str | None
    signed_out_at: str | None
    event_id: str

    def to_json(self) -> str:
        return json.dumps({"type": self.type, **asdict(self)}, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> AttendanceChanged:
        data: dict[str, Any] = json.loads(raw)
        if data.pop("type", None) != cls.type:
            raise ValueError("not an attendance.changed event")
        return cls(**data)
