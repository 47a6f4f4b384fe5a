"""Logging that never carries a token, PIN, code or password, at any level.

Two layers, installed by :func:`install` (the app factory and the CLI call it):

- At the source: uvicorn hands its ``uvicorn.error`` logger to the websockets library,
  which at DEBUG logs every frame (a ``connection_init`` frame carries the token, a
  subscription's variables may carry anything) and every handshake header. Frames are
  dropped and secret headers blanked before any handler sees them.
- A backstop for every logger and handler: each record is redacted when it is created
  (a LogRecord factory, so pytest's caplog and any handler added later see the same
  text). Bearer tokens go, and so does the value of any field named like a token,
  password, secret, PIN or code, in JSON, GraphQL, Python reprs and query strings.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

REDACTED = "[redacted]"

_WIRE_LOGGERS = ("uvicorn.error", "websockets.server", "websockets.client", "websockets.protocol")
_FRAME_MESSAGES = frozenset({"< %s", "> %s"})
_HEADER_MESSAGES = frozenset({"< %s: %s", "> %s: %s"})
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "sec-websocket-protocol"}
)

_KEY = r"\w*(?:token|password|passphrase|secret|pin|code)|authorization"
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s'\",;]+")
# key: "value" / 'key': 'value' / key=value / "key": 123456, with the key kept.
_FIELD = re.compile(
    rf"""(?ix)
    (?P<key>(?P<q>["']?)\b(?:{_KEY})(?P=q)\s*[:=]\s*)
    (?: (?P<v>["']) (?:\\.|(?!(?P=v)).)* (?:(?P=v)|$) | [^\s,;&}}\])'"]+ )
    """
)


def redact(text: str) -> str:
    """The text with bearer tokens and secret field values replaced."""
    text = _BEARER.sub(f"Bearer {REDACTED}", text)
    return _FIELD.sub(lambda m: f"{m.group('key')}{REDACTED}", text)


class _WireFilter(logging.Filter):
    """Drops the websockets library's frame records and blanks secret header values."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg in _FRAME_MESSAGES:
            return False
        if record.msg in _HEADER_MESSAGES and isinstance(record.args, tuple) and record.args:
            name = str(record.args[0])
            if name.lower() in _SECRET_HEADERS:
                record.args = (name, REDACTED)
        return True


_Factory = Callable[..., logging.LogRecord]


def _redacting(base: _Factory) -> _Factory:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return record
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            # Exception messages echo input too (a validation error quotes the value).
            trace = logging.Formatter().formatException(record.exc_info)
            clean_trace = redact(trace)
            if clean_trace != trace:
                record.exc_text = clean_trace
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    return factory


def install() -> None:
    """Make every log record secret-free from now on; safe to call more than once."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacts", False):
        logging.setLogRecordFactory(_redacting(current))
    for name in _WIRE_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _WireFilter) for f in logger.filters):
            logger.addFilter(_WireFilter())
