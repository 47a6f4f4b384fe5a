"""Part 3: one change fanned out to 1, 100 and 1,000 subscribed sockets.

The server runs as ``playroll serve`` in its own process, so its CPU time (``/proc``)
is the server's alone; the sockets all live in this process. Sockets are added as the
sizes grow (1, then 99 more, then 900 more), all subscribed to one classroom's
``rosterChanged``. Each round signs one child in or out over HTTP and times from just
before the POST until the last socket has the row. Time to last includes this process
reading 1,000 frames on the same two cores, as a real client fleet's would not.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import server_process
from bench.fixture import Fixture
from bench.live import Changes, Listener, close_all, subscribe_many
from bench.stats import Summary, ratio
from tests.wsclient import WSClient

ROUND_TIMEOUT = 30.0
# Unmeasured rounds per size: the first changes after start-up or after new sockets
# join run slower (caches, lazily built state) and would skew the small sizes.
WARMUP_ROUNDS = 3
# Descriptors this process needs besides the sockets (files, the HTTP client, ...).
SPARE_DESCRIPTORS = 64


@dataclass(frozen=True)
class SizeResult:
    target: int
    sockets: int  # subscribed sockets actually open
    rounds: int
    to_first: Summary
    to_last: Summary
    cpu_seconds: float  # the server's, over all rounds
    delivered: int
    missing: int  # rows that had not arrived when a round gave up

    @property
    def cpu_per_message(self) -> float:
        return ratio(self.cpu_seconds, self.delivered)

    @property
    def cpu_per_round(self) -> float:
        return self.cpu_seconds / self.rounds


@dataclass
class FanoutResult:
    sizes: list[SizeResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    descriptor_limit: int = 0
    tick_seconds: float = 1 / server_process.clock_tick_hz()

    def relative_to_one(self, size: SizeResult) -> tuple[float, float]:
        """(time to last, CPU per delivered message) as multiples of the 1-socket case."""
        one = self.sizes[0]
        return (
            ratio(size.to_last.mean, one.to_last.mean),
            ratio(size.cpu_per_message, one.cpu_per_message),
        )

    def marginal_cpu_per_socket(self) -> float | None:
        """Server CPU each extra socket adds to one change, between the smallest and
        the largest size: the cost of a delivery without the mutation's own cost."""
        if len(self.sizes) < 2:
            return None
        small, large = self.sizes[0], self.sizes[-1]
        return (large.cpu_per_round - small.cpu_per_round) / (large.sockets - small.sockets)


def raise_descriptor_limit() -> int:
    """Lift the soft RLIMIT_NOFILE to the hard limit; the server child inherits it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 16)
    if wanted > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            return soft
        return wanted
    return soft


async def measure(fixture: Fixture, rounds_by_size: dict[int, int], workdir: Path) -> FanoutResult:
    result = FanoutResult(descriptor_limit=raise_descriptor_limit())
    largest = max(rounds_by_size)
    if result.descriptor_limit < largest + SPARE_DESCRIPTORS:
        result.notes.append(
            f"RLIMIT_NOFILE is {result.descriptor_limit}: {largest} sockets may not fit"
        )
    changes = Changes(fixture.fanout_room.id, fixture.fanout_room.child_ids)
    listener = Listener()
    clients: list[WSClient] = []
    async with (
        server_process.running(fixture.settings, workdir) as server,
        httpx.AsyncClient(base_url=server.http_url, timeout=ROUND_TIMEOUT) as http,
    ):
        try:
            for size, rounds in sorted(rounds_by_size.items()):
                opened, failed = await subscribe_many(
                    server.ws_url, fixture.token, fixture.fanout_room.id, size - listener.sockets
                )
                for client, sub_id in opened:
                    listener.add(client, sub_id)
                    clients.append(client)
                if failed:
                    result.notes.append(
                        f"only {listener.sockets} of {size} sockets could be opened "
                        f"({len(failed)} failed, first: {failed[0]!r})"
                    )
                if listener.sockets == 0:
                    break
                await listener.prime(http, fixture.token, changes)
                result.sizes.append(
                    await _rounds(server, listener, http, fixture, changes, size, rounds)
                )
                if failed:
                    break  # a larger size would fail the same way
        finally:
            await listener.close()
            await close_all(clients)
        errors = server.logged_errors()
        if errors:
            result.notes.append(f"the server logged {len(errors)} errors; first: {errors[0]}")
    if listener.failures:
        result.notes.append(f"{len(listener.failures)} sockets failed: {listener.failures[0]!r}")
    return result


async def _rounds(
    server: server_process.ServerProcess,
    listener: Listener,
    http: httpx.AsyncClient,
    fixture: Fixture,
    changes: Changes,
    target: int,
    rounds: int,
) -> SizeResult:
    for _ in range(WARMUP_ROUNDS):
        await listener.change(http, fixture.token, changes, ROUND_TIMEOUT)
    to_first: list[float] = []
    to_last: list[float] = []
    delivered = 0
    cpu_before = server.cpu_seconds()
    for _ in range(rounds):
        round_ = await listener.change(http, fixture.token, changes, ROUND_TIMEOUT)
        delivered += len(round_.arrivals)
        if round_.arrivals:
            to_first.append(round_.to_first)
            to_last.append(round_.to_last)
    cpu = server.cpu_seconds() - cpu_before
    if not to_last:
        raise RuntimeError(f"no change reached any of {listener.sockets} sockets")
    return SizeResult(
        target=target,
        sockets=listener.sockets,
        rounds=rounds,
        to_first=Summary.of(to_first),
        to_last=Summary.of(to_last),
        cpu_seconds=cpu,
        delivered=delivered,
        missing=listener.sockets * rounds - delivered,
    )
