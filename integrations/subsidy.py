"""State subsidy systems: one adapter interface, an HTTP/JSON client and a CSV file export.

The protocol the HTTP client speaks (README, "State subsidy export: for integrators"):

- ``GET  {base}/v1/providers/{provider}``: 200 when the credentials are the provider's;
  401 or 403 when not.
- ``GET  {base}/v1/providers/{provider}/children``: ``{"children": [{"stateId",
  "firstName", "middleName", "lastName", "dateOfBirth"}]}``, the provider's subsidised
  children.
- ``PUT  {base}/v1/providers/{provider}/attendance/{stateId}/{date}`` with an
  ``Idempotency-Key`` header and the day as JSON (``DayRecord.body``): 200
  ``{"status": "accepted", "receiptId"}``; 409 ``{"status": "rejected", "code":
  "PERIOD_CLOSED", "message"}``; 422 ``{"status": "rejected", "code", "message"}``.

Authentication is HTTP Basic (provider ID and password) or a bearer token (the password).
429 and 5xx answers, timeouts and refused connections are tried again with exponential
backoff (``Retry-After`` honoured up to the cap); what still fails is ``StateUnavailable``
and the caller tries the day again later. The idempotency key names the child-day and the
version of its content, so a repeated send of the same version is never counted twice.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import quote

import httpx

_RETRY = {408, 425, 429, 500, 502, 503, 504}
MAX_ANSWER_CHARS = 2000


@dataclass(frozen=True)
class StateCredentials:
    provider_id: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class StateChild:
    """One of the provider's subsidised children, as the state's records have them."""

    state_id: str
    first_name: str
    middle_name: str
    last_name: str
    date_of_birth: date


@dataclass(frozen=True)
class DayRecord:
    """One child-day as sent: ``body`` is the JSON document, ``content_hash`` its version."""

    state_child_id: str
    day: date
    body: dict[str, Any]
    content_hash: str

    @property
    def idempotency_key(self) -> str:
        return f"{self.state_child_id}:{self.day.isoformat()}:{self.content_hash[:32]}"


class AnswerCode(StrEnum):
    ACCEPTED = "ACCEPTED"
    PERIOD_CLOSED = "PERIOD_CLOSED"
    VALIDATION = "VALIDATION"
    CREDENTIALS_REFUSED = "CREDENTIALS_REFUSED"
    UNAVAILABLE = "UNAVAILABLE"


@dataclass(frozen=True)
class Answer:
    """What the state said to one send; ``text`` is its body, cut to a safe length."""

    code: AnswerCode
    message: str
    text: str = ""
    receipt: str | None = None
    http_status: int | None = None

    @property
    def accepted(self) -> bool:
        return self.code is AnswerCode.ACCEPTED


class StateSystemError(Exception):
    """The state system could not answer the question; the message names no secret."""


class CredentialsRefused(StateSystemError):
    """The provider ID and password were refused."""


class StateUnavailable(StateSystemError):
    """Timeouts, 429 and 5xx after every retry, or an answer that is not the protocol."""


class StateSystem(Protocol):
    async def check_credentials(self, credentials: StateCredentials) -> None:
        """Return when the state accepts the credentials; raise ``CredentialsRefused``."""
        ...

    async def list_children(self, credentials: StateCredentials) -> list[StateChild]:
        """The provider's subsidised children (raises ``StateSystemError``)."""
        ...

    async def submit_day(self, credentials: StateCredentials, record: DayRecord) -> Answer:
        """Send one child-day; transient failures end as an ``UNAVAILABLE`` answer."""
        ...

    async def aclose(self) -> None: ...


def _clip(text: str) -> str:
    return text[:MAX_ANSWER_CHARS]


class HttpStateSystem:
    def __init__(
        self,
        base_url: str,
        *,
        auth: Literal["basic", "bearer"] = "basic",
        timeout: float = 10.0,
        attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.attempts = max(attempts, 1)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._client = httpx.AsyncClient(
            timeout=timeout, transport=transport, follow_redirects=False
        )

    def __repr__(self) -> str:
        return f"HttpStateSystem(base_url={self.base_url!r})"

    def _headers(self, credentials: StateCredentials) -> dict[str, str]:
        if self.auth == "bearer":
            return {"Authorization": f"Bearer {credentials.password}"}
        basic = httpx.BasicAuth(credentials.provider_id, credentials.password)
        request = next(basic.auth_flow(httpx.Request("GET", self.base_url)))
        return {"Authorization": request.headers["Authorization"]}

    def _url(self, credentials: StateCredentials, *parts: str) -> str:
        path = "/".join(quote(p, safe="") for p in parts)
        provider = quote(credentials.provider_id, safe="")
        return f"{self.base_url}/v1/providers/{provider}" + (f"/{path}" if path else "")

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        wait = min(self.backoff_cap, self.backoff_base * 2.0**attempt)
        after = response.headers.get("retry-after", "") if response is not None else ""
        if after.isdigit():
            wait = min(self.backoff_cap, max(wait, float(after)))
        return float(wait)

    async def _call(
        self, method: str, url: str, headers: dict[str, str], body: Any = None
    ) -> httpx.Response:
        """One request with retries on 429, 5xx and network failures."""
        last = "no answer"
        for attempt in range(self.attempts):
            response: httpx.Response | None = None
            try:
                response = await self._client.request(method, url, headers=headers, json=body)
            except httpx.RequestError as e:
                last = f"{type(e).__name__}"
            else:
                if response.status_code not in _RETRY:
                    return response
                last = f"HTTP {response.status_code}"
            if attempt + 1 < self.attempts:
                await asyncio.sleep(self._delay(attempt, response))
        raise StateUnavailable(f"state system unavailable: {last}")

    async def check_credentials(self, credentials: StateCredentials) -> None:
        response = await self._call("GET", self._url(credentials), self._headers(credentials))
        if response.status_code in (401, 403, 404):
            raise CredentialsRefused("the state system refused the provider ID or password")
        if response.status_code != 200:
            raise StateUnavailable(f"state system answered HTTP {response.status_code}")

    async def list_children(self, credentials: StateCredentials) -> list[StateChild]:
        response = await self._call(
            "GET", self._url(credentials, "children"), self._headers(credentials)
        )
        if response.status_code in (401, 403):
            raise CredentialsRefused("the state system refused the provider ID or password")
        if response.status_code != 200:
            raise StateUnavailable(f"state system answered HTTP {response.status_code}")
        try:
            rows = response.json()["children"]
            return [_state_child(row) for row in rows]
        except (ValueError, KeyError, TypeError) as e:
            raise StateUnavailable(f"unreadable list of children: {type(e).__name__}") from None

    async def submit_day(self, credentials: StateCredentials, record: DayRecord) -> Answer:
        headers = self._headers(credentials) | {"Idempotency-Key": record.idempotency_key}
        url = self._url(credentials, "attendance", record.state_child_id, record.day.isoformat())
        try:
            response = await self._call("PUT", url, headers, record.body)
        except StateUnavailable as e:
            return Answer(AnswerCode.UNAVAILABLE, str(e))
        return _answer(response)

    async def aclose(self) -> None:
        await self._client.aclose()


def _state_child(row: dict[str, Any]) -> StateChild:
    return StateChild(
        state_id=str(row["stateId"]),
        first_name=str(row["firstName"]),
        middle_name=str(row.get("middleName") or ""),
        last_name=str(row["lastName"]),
        date_of_birth=date.fromisoformat(str(row["dateOfBirth"])),
    )


def _answer(response: httpx.Response) -> Answer:
    """Read the state's answer; a body that is not the protocol is never an acceptance."""
    status, text = response.status_code, _clip(response.text)
    if status in (401, 403):
        return Answer(AnswerCode.CREDENTIALS_REFUSED, "credentials refused", text, None, status)
    try:
        data = response.json()
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        return Answer(
            AnswerCode.UNAVAILABLE, f"unreadable answer (HTTP {status})", text, None, status
        )
    message = str(data.get("message") or "")[:500]
    if 200 <= status < 300 and data.get("status") == "accepted":
        receipt = data.get("receiptId")
        return Answer(
            AnswerCode.ACCEPTED, "accepted", text, str(receipt) if receipt else None, status
        )
    if data.get("code") == "PERIOD_CLOSED" or status == 409:
        return Answer(AnswerCode.PERIOD_CLOSED, message or "period closed", text, None, status)
    if 200 <= status < 300 or status == 422 or data.get("status") == "rejected":
        # A 200 with an error body is a refusal with the state's words, never a success.
        return Answer(AnswerCode.VALIDATION, message or "rejected", text, None, status)
    return Answer(AnswerCode.UNAVAILABLE, f"unexpected HTTP {status}", text, None, status)


# ---- CSV export ------------------------------------------------------------------------

CSV_COLUMNS = (
    "provider_id",
    "state_child_id",
    "date",
    "sign_in",
    "sign_out",
    "absent",
    "absence_reason",
    "content_hash",
)


def csv_rows(provider_id: str, records: list[DayRecord]) -> str:
    """The same data as the HTTP sends, one line per visit (or per absence), for uploads."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        sessions = record.body.get("sessions") or [{"in": "", "out": ""}]
        for visit in sessions:
            writer.writerow(
                [
                    provider_id,
                    record.state_child_id,
                    record.day.isoformat(),
                    visit.get("in") or "",
                    visit.get("out") or "",
                    "yes" if record.body.get("absent") else "no",
                    record.body.get("absenceReason") or "",
                    record.content_hash,
                ]
            )
    return out.getvalue()


class CsvFileExport:
    """For states that take uploads: each child-day is written as a CSV file, replaced
    when sent again, under ``directory/<provider>/<date>/<state id>.csv``; the state's list
    of children is read from ``directory/<provider>/children.csv`` when present."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _provider_dir(self, credentials: StateCredentials) -> Path:
        safe = "".join(c for c in credentials.provider_id if c.isalnum() or c in "-_")
        return self.directory / (safe or "provider")

    async def check_credentials(self, credentials: StateCredentials) -> None:
        if not self.directory.is_dir():
            raise StateUnavailable("the export directory does not exist")

    async def list_children(self, credentials: StateCredentials) -> list[StateChild]:
        path = self._provider_dir(credentials) / "children.csv"
        if not path.exists():
            return []
        with path.open(newline="") as f:
            return [_state_child(row) for row in csv.DictReader(f)]

    async def submit_day(self, credentials: StateCredentials, record: DayRecord) -> Answer:
        folder = self._provider_dir(credentials) / record.day.isoformat()
        safe_id = "".join(c for c in record.state_child_id if c.isalnum() or c in "-_")
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        text = csv_rows(credentials.provider_id, [record])
        await asyncio.to_thread((folder / f"{safe_id}.csv").write_text, text)
        return Answer(AnswerCode.ACCEPTED, "written", json.dumps({"file": f"{safe_id}.csv"}))

    async def aclose(self) -> None:
        return None
