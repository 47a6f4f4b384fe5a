"""Live-update plumbing shared by the latency and fan-out parts.

A change is one child signed in or out through the real ``signIn``/``signOut``
mutations; every subscribed socket then receives one ``rosterChanged`` row. A reader
task per socket stamps each row the moment it is read, so a round knows when its first
and last socket heard of the change.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.wsclient import WSClient

ROSTER_SUBSCRIPTION = """
subscription($room: ID!) { rosterChanged(classroomId: $room) { child { id } status } }
"""
SIGN_IN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code message } } }"
SIGN_OUT = "mutation($i: SignOutInput!) { signOut(input: $i) { errors { code message } } }"
# A row is recognised by (child id, status): the change a round waits for.
Expected = tuple[str, str]
# Readers wait as long as the benchmark runs; rounds have their own deadlines.
READ_FOREVER = 24 * 3600.0


@dataclass
class Changes:
    """Signs a classroom's children in and out in turn; each mutation publishes one row.

    Going round the whole class keeps every child's day realistic (a few entries): one
    child signed in and out hundreds of times would make each change slower than the
    last, since the published row is rebuilt from that child's whole day.
    """

    room_id: str
    child_ids: list[str]
    _signed_in: set[str] = field(default_factory=set)
    _turn: int = 0

    def next(self) -> tuple[dict[str, Any], Expected]:
        """The next mutation's request body, and the row subscribers will then see."""
        child_id = self.child_ids[self._turn % len(self.child_ids)]
        self._turn += 1
        if child_id in self._signed_in:
            self._signed_in.discard(child_id)
            query, status = SIGN_OUT, "SIGNED_OUT"
        else:
            self._signed_in.add(child_id)
            query, status = SIGN_IN, "SIGNED_IN"
        variables = {"i": {"childIds": [child_id], "classroomId": self.room_id}}
        return {"query": query, "variables": variables}, (child_id, status)


async def post_change(http: httpx.AsyncClient, token: str, body: dict[str, Any]) -> None:
    response = await http.post("/graphql", json=body, headers={"authorization": f"Bearer {token}"})
    payload = response.json()
    errors = payload.get("errors") or next(iter((payload.get("data") or {}).values()))["errors"]
    if response.status_code != 200 or errors:
        raise RuntimeError(f"mutation failed ({response.status_code}): {errors}")


class Round:
    """One change awaited on every socket: the first arrival per socket counts."""

    def __init__(self, expected: Expected, sockets: int) -> None:
        self.expected = expected
        self.sockets = sockets
        self.started = time.perf_counter()
        self.arrivals: dict[int, float] = {}
        self._everyone = asyncio.Event()

    def arrived(self, socket: int, row: Expected, at: float) -> None:
        # A late row of an earlier round is another child's, or the other status.
        if row != self.expected or socket in self.arrivals:
            return
        self.arrivals[socket] = at
        if len(self.arrivals) >= self.sockets:
            self._everyone.set()

    async def wait(self, within: float) -> bool:
        """True once every socket has the change; False after ``within`` seconds."""
        try:
            await asyncio.wait_for(self._everyone.wait(), within)
        except TimeoutError:
            return False
        return True

    @property
    def to_first(self) -> float:
        return min(self.arrivals.values()) - self.started

    @property
    def to_last(self) -> float:
        return max(self.arrivals.values()) - self.started


class Listener:
    """One reader task per subscribed socket, feeding the round in progress."""

    def __init__(self) -> None:
        self.current: Round | None = None
        self.failures: list[BaseException] = []
        self._readers: list[asyncio.Task[None]] = []

    @property
    def sockets(self) -> int:
        return len(self._readers)

    def add(self, client: WSClient, sub_id: str) -> None:
        index = len(self._readers)
        self._readers.append(asyncio.create_task(self._read(index, client, sub_id)))

    async def _read(self, index: int, client: WSClient, sub_id: str) -> None:
        try:
            while True:
                data = await client.next(sub_id, timeout=READ_FOREVER)
                at = time.perf_counter()
                if self.current is not None:
                    row = data["rosterChanged"]
                    self.current.arrived(index, (row["child"]["id"], row["status"]), at)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # a closed or refused socket: reported, not fatal here
            self.failures.append(e)

    async def change(
        self, http: httpx.AsyncClient, token: str, changes: Changes, within: float
    ) -> Round:
        """Make one change and wait (up to ``within`` seconds) until every socket has it."""
        body, expected = changes.next()
        self.current = round_ = Round(expected, self.sockets)
        await post_change(http, token, body)
        await round_.wait(within)
        return round_

    async def prime(self, http: httpx.AsyncClient, token: str, changes: Changes) -> None:
        """Repeat changes until one reaches every socket: all subscriptions are live."""
        for _ in range(5):
            round_ = await self.change(http, token, changes, within=5.0)
            if len(round_.arrivals) == self.sockets:
                return
        raise RuntimeError(
            f"only {len(round_.arrivals)} of {self.sockets} sockets receive changes"
            + (f"; first socket error: {self.failures[0]!r}" if self.failures else "")
        )

    async def close(self) -> None:
        for reader in self._readers:
            reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._readers, return_exceptions=True)
        self._readers.clear()


async def subscribe(url: str, token: str, room_id: str) -> tuple[WSClient, str]:
    client = await WSClient.connect(url, token)
    try:
        return client, await client.subscribe(ROSTER_SUBSCRIPTION, {"room": room_id})
    except BaseException:
        await client.close()  # do not hold a descriptor for a socket nobody reads
        raise


async def subscribe_many(
    url: str, token: str, room_id: str, count: int, *, concurrency: int = 50
) -> tuple[list[tuple[WSClient, str]], list[BaseException]]:
    """Open ``count`` subscribed sockets, a few at a time so the accept queue never fills."""
    gate = asyncio.Semaphore(concurrency)

    async def one() -> tuple[WSClient, str]:
        async with gate:
            return await subscribe(url, token, room_id)

    results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    opened = [r for r in results if not isinstance(r, BaseException)]
    failed = [r for r in results if isinstance(r, BaseException)]
    return opened, failed


async def close_all(clients: list[WSClient]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
