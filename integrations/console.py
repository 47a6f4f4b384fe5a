"""Development transport: messages go to standard output instead of people."""

from __future__ import annotations

import sys

from integrations.transport import OutgoingMessage


class ConsoleTransport:
    """Prints each message; the default for both channels so a fresh checkout sends nothing.

    Bodies carry PINs and codes, and a server's stdout usually ends up in a log store, so
    the body is printed only when ``show_body`` is set (the CLI sets it in debug mode).
    """

    def __init__(self, channel: str, *, show_body: bool) -> None:
        self.channel = channel
        self.show_body = show_body

    async def send(self, message: OutgoingMessage) -> str | None:
        body = message.body if self.show_body else "(body withheld: PLAYROLL_DEBUG is off)"
        lines = [
            f"----- {self.channel} {message.id} -----",
            f"To: {message.destination}",
            *([f"Subject: {message.subject}"] if message.subject else []),
            "",
            body,
            "-----",
            "",
        ]
        # Looked up at each send, not bound at import, so redirected stdout is honoured.
        sys.stdout.write("\n".join(lines))
        sys.stdout.flush()
        return None

    async def aclose(self) -> None:
        return None
