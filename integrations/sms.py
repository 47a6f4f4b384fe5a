"""SMS through an HTTP provider: POST ``{"to", "body"}`` as JSON with a bearer token."""

from __future__ import annotations

from typing import Any

import httpx

from integrations.transport import OutgoingMessage, PermanentFailure, TransientFailure

# Statuses that say "later", not "never": 408 and 429 by definition; 401 and 403 concern
# our own token, which an operator can fix, so those messages should wait for the fix.
_RETRY_LATER = {401, 403, 408, 429}
_PROVIDER_ID_KEYS = ("id", "message_id", "sid")


class HttpSmsTransport:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url
        self._client = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"HttpSmsTransport(url={self.url!r})"

    async def send(self, message: OutgoingMessage) -> str | None:
        try:
            response = await self._client.post(
                self.url,
                json={"to": message.destination, "body": message.body},
                # The provider drops a repeat with the same key, so a resend after a crash
                # or a lost response does not text the parent twice.
                headers={"Idempotency-Key": str(message.id)},
            )
        except httpx.RequestError as e:
            # Timeouts, refused or reset connections. The message never names the body.
            raise TransientFailure(f"{type(e).__name__}: {e}") from None
        status = response.status_code
        if 200 <= status < 300:
            return _provider_id(response)
        # Only the status: a provider's error body may quote the message, code included.
        error = f"HTTP {status} {response.reason_phrase}".strip()
        if status >= 500 or status in _RETRY_LATER or 300 <= status < 400:
            raise TransientFailure(error)
        raise PermanentFailure(error)

    async def aclose(self) -> None:
        await self._client.aclose()


def _provider_id(response: httpx.Response) -> str | None:
    try:
        data: Any = response.json()
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for key in _PROVIDER_ID_KEYS:
        value = data.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)[:200]
    return None
