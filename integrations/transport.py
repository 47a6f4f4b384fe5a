"""What every message transport offers the worker, and the two ways a send can fail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class OutgoingMessage:
    """A rendered message. ``id`` is the notification's, so providers can de-duplicate."""

    id: UUID
    destination: str
    subject: str
    body: str
    language: str = "en"

    def __repr__(self) -> str:
        # The body carries PINs and codes: keep it out of tracebacks and debug output.
        return f"OutgoingMessage(id={self.id!s}, subject={self.subject!r})"


class DeliveryError(Exception):
    """A send did not succeed. The message must never contain the body or a secret."""


class TransientFailure(DeliveryError):
    """Worth trying again later: timeouts, refused connections, 4xx SMTP, HTTP 429 and 5xx."""


class PermanentFailure(DeliveryError):
    """Trying again cannot help: a refused address, a rejected request."""


class Transport(Protocol):
    async def send(self, message: OutgoingMessage) -> str | None:
        """Deliver one message; return the provider's message id when it gives one.

        Raises ``TransientFailure`` or ``PermanentFailure``; anything else is a bug and the
        worker treats it as transient.
        """
        ...

    async def aclose(self) -> None:
        """Release connections; the transport is not used afterwards."""
        ...
