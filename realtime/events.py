"""Typed realtime events. They travel as JSON, so they carry plain values only.

Subscribers build their results from these payloads alone: fanning an event out to a
thousand sockets costs no database query.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

# Sent by a broadcast backend on every subscribed channel after it reconnected: messages
# published while it was away are lost (pub/sub is at-most-once), so every subscriber
# must rebuild its view from the database.
RESYNC_MESSAGE = '{"type":"resync"}'


def is_resync(message: str) -> bool:
    return message == RESYNC_MESSAGE


@dataclass(frozen=True)
class EventPayload:
    """The attendance event that caused a change, as a roster row shows it."""

    id: str
    kind: str
    at: str
    recorded_at: str
    actor: str
    actor_kind: str
    operator: str | None
    source: str
    auth_method: str
    device: str
    reason: str | None


@dataclass(frozen=True)
class AttendanceChanged:
    """A child's attendance state changed: everything a roster row needs to redraw."""

    type: ClassVar[str] = "attendance.changed"

    agency_id: str
    site_id: str
    classroom_id: str
    local_date: str
    child_id: str
    child_first_name: str
    child_last_name: str
    scheduled: bool
    status: str
    signed_in_at: str | None
    signed_out_at: str | None
    absence_reason: str | None
    # Server time of the change: with several instances, later wins per child.
    as_of: str
    # The attendance event that caused the change; None when the roster itself changed
    # (the child moved between classrooms).
    event: EventPayload | None = None
    # The program of the child's enrollment in this classroom, for program filters.
    program_id: str | None = None
    # False on the roster of the classroom a child left: live views drop the child.
    on_roster: bool = True

    def to_json(self) -> str:
        return json.dumps({"type": self.type, **asdict(self)}, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AttendanceChanged:
        fields = {k: v for k, v in data.items() if k != "type"}
        if fields.get("event") is not None:
            fields["event"] = EventPayload(**fields["event"])
        return cls(**fields)


@dataclass(frozen=True)
class AccessChanged:
    """A principal's access changed: sockets opened with it must close.

    ``session_id`` names one session (logout); None means every session of the principal
    (role change, deactivation).
    """

    type: ClassVar[str] = "access.changed"

    principal_id: str
    session_id: str | None

    def to_json(self) -> str:
        return json.dumps({"type": self.type, **asdict(self)}, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccessChanged:
        return cls(principal_id=data["principal_id"], session_id=data["session_id"])


@dataclass(frozen=True)
class KioskAlert:
    """A kiosk's PIN pad was locked (too many wrong PINs) or unlocked by staff.

    ``reason`` is PAD_LOCKED (one pad, until ``until``), SITE_LOCKED (every pad of the
    site, until a staff PIN) or UNLOCKED.
    """

    type: ClassVar[str] = "kiosk.alert"

    agency_id: str
    site_id: str
    kiosk_id: str
    kiosk_name: str
    reason: str
    at: str
    until: str | None

    def to_json(self) -> str:
        return json.dumps({"type": self.type, **asdict(self)}, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KioskAlert:
        return cls(**{k: v for k, v in data.items() if k != "type"})


@dataclass(frozen=True)
class MessagePosted:
    """A new message: everything a conversation view shows of it, so no subscriber reads
    the database to display it."""

    type: ClassVar[str] = "messaging.message"

    agency_id: str
    site_id: str
    conversation_id: str
    conversation_kind: str
    family_id: str | None
    classroom_id: str | None
    message_id: str
    sender_kind: str
    sender_id: str
    sender_name: str
    body: str
    sent_at: str
    # Each attached file: id, name, content_type, size, width, height.
    attachments: tuple[dict[str, Any], ...] = ()
    # Set when the sender deleted it: the same message again, now a tombstone.
    deleted_at: str | None = None

    def to_json(self) -> str:
        return json.dumps({"type": self.type, **asdict(self)}, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MessagePosted:
        fields = {k: v for k, v in data.items() if k != "type"}
        fields["attachments"] = tuple(fields.get("attachments") or ())
        return cls(**fields)


@dataclass(frozen=True)
class MessagesRead:
    """A participant read a conversation up to (and including) ``through_message_id``."""

    type: ClassVar[str] = "messaging.read"

    agency_id: str
    site_id: str
    conversation_id: str
    reader_kind: str
    reader_id: str
    reader_name: str
    through_message_id: str
    read_at: str

    def to_json(self) -> str:
        return json.dumps({"type": self.type, **asdict(self)}, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MessagesRead:
        return cls(**{k: v for k, v in data.items() if k != "type"})


Event = AttendanceChanged | AccessChanged | KioskAlert | MessagePosted | MessagesRead


def parse(message: str) -> Event | None:
    """The event in a message; None for the resync marker or anything unknown."""
    data = json.loads(message)
    kind = data.get("type")
    if kind == AttendanceChanged.type:
        return AttendanceChanged.from_dict(data)
    if kind == AccessChanged.type:
        return AccessChanged.from_dict(data)
    if kind == KioskAlert.type:
        return KioskAlert.from_dict(data)
    if kind == MessagePosted.type:
        return MessagePosted.from_dict(data)
    if kind == MessagesRead.type:
        return MessagesRead.from_dict(data)
    return None
