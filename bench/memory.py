"""Part 5: what open dashboard sockets cost the server in memory, and whether it gets it back.

The server runs as ``playroll serve`` in its own process and its resident set is read
from ``/proc/<pid>/status``. Each socket is what the /dashboard page opens: a
``connection_init`` with a staff token, then ``rosterChanged`` of a classroom and
``liveCounts`` of the site. A socket counts as subscribed once its ``liveCounts``
snapshot has arrived (graphql-transport-ws acknowledges no subscribe) and the server
holds its connection; a change then proves ``rosterChanged`` is live on every socket.
Closed means the server process holds none of them any more (``/proc/<pid>/fd``
against its TCP table), not merely that this process let go.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import server_process
from bench.fanout import SPARE_DESCRIPTORS, raise_descriptor_limit
from bench.fixture import Fixture
from bench.goals import Goal
from bench.live import Changes, post_change
from tests.wsclient import WSClient

SOCKETS = 1000
CYCLES = 5
# Opened, sent a change and closed before the idle figure, so that what the first
# socket, subscription and mutation load once (imports, compiled documents, pools) is
# not counted against the 1,000.
WARM_SOCKETS = 20
PER_SOCKET_KIB = 50.0
CYCLE_DRIFT = 0.10
OPEN_CONCURRENCY = 50  # at a time, so the accept queue never fills
WAIT = 60.0  # for 1,000 snapshots, deliveries or closes on two shared cores
# The server counts as settled when its CPU clock moves at most one tick in this window:
# what a socket, a change or a close set off has finished, bar the idle pings.
QUIET_SECONDS = 0.5

COUNTS = "enrolled signedIn signedOut absent incomplete"
ROW = "child { id firstName lastName } classroomId status signedInAt signedOutAt onRoster"
ROSTER_SUBSCRIPTION = f"subscription($c: ID!) {{ rosterChanged(classroomId: $c) {{ {ROW} }} }}"
COUNTS_SUBSCRIPTION = f"subscription($s: ID!) {{ liveCounts(siteId: $s) {{ {COUNTS} }} }}"


@dataclass(frozen=True)
class Dashboard:
    client: WSClient
    roster: str  # operation ids
    counts: str


@dataclass(frozen=True)
class Cycle:
    sockets: int  # subscribed and held by the server
    rss_open: int  # KiB, subscribed and settled
    rss_changed: int  # KiB, after one change reached them
    delivered: int  # sockets that had the change's roster row and counts
    rss_closed: int  # KiB, all closed by the server and settled
    failed: str | None = None  # the first socket that could not be opened, if any


@dataclass
class MemoryResult:
    target: int
    rss_idle: int = 0  # KiB, warmed, no socket open
    cycles: list[Cycle] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def per_socket(self, rss: int) -> float:
        """KiB per socket of the first cycle, from the idle server to ``rss``."""
        first = self.cycles[0]
        return (rss - self.rss_idle) / first.sockets if first.sockets else 0.0

    @property
    def drift(self) -> float:
        """RSS after the last cycle relative to after the first, e.g. 0.04 for +4%."""
        first, last = self.cycles[0].rss_closed, self.cycles[-1].rss_closed
        return (last - first) / first


def rss_kib(pid: int) -> int:
    """The process's resident set (VmRSS) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def held_connections(pid: int, port: int) -> int:
    """Accepted connections on ``port`` whose descriptor the process still holds."""
    inodes: set[str] = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed while listing
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    held = 0
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            # 0A is LISTEN: the server's own socket, not a client's.
            if local_port == port and fields[3] != "0A" and fields[9] in inodes:
                held += 1
    return held


async def settled(server: server_process.ServerProcess, within: float = WAIT) -> bool:
    """Wait until the server is idle (False if it never was within ``within`` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    tick = 1 / server_process.clock_tick_hz()
    before = server.cpu_seconds()
    while loop.time() < deadline:
        await asyncio.sleep(QUIET_SECONDS)  # the bench may sleep: this is not a test
        now = server.cpu_seconds()
        if now - before <= tick:
            return True
        before = now
    return False


async def held(server: server_process.ServerProcess, count: int, within: float = WAIT) -> bool:
    """Wait until the server holds exactly ``count`` client connections."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while held_connections(server.process.pid, server.port) != count:
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def open_dashboard(url: str, token: str, site_id: str, room_id: str) -> Dashboard:
    """One /dashboard socket, returned once its counts snapshot has arrived."""
    client = await WSClient.connect(url, token)
    try:
        roster = await client.subscribe(ROSTER_SUBSCRIPTION, {"c": room_id})
        counts = await client.subscribe(COUNTS_SUBSCRIPTION, {"s": site_id})
        await client.next(counts, timeout=WAIT)
    except BaseException:
        await client.close()  # do not hold a descriptor for a socket nobody reads
        raise
    return Dashboard(client, roster, counts)


async def open_many(
    url: str, fixture: Fixture, count: int
) -> tuple[list[Dashboard], list[BaseException]]:
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)
    room = fixture.memory_room.id

    async def one() -> Dashboard:
        async with gate:
            return await open_dashboard(url, fixture.token, fixture.site_id, room)

    results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    opened = [r for r in results if isinstance(r, Dashboard)]
    return opened, [r for r in results if isinstance(r, BaseException)]


async def deliver(
    http: httpx.AsyncClient, token: str, changes: Changes, sockets: list[Dashboard]
) -> int:
    """Sign one child in or out; how many sockets then had its roster row and new counts."""
    body, expected = changes.next()
    await post_change(http, token, body)

    async def heard(socket: Dashboard) -> bool:
        row = (await socket.client.next(socket.roster, timeout=WAIT))["rosterChanged"]
        await socket.client.next(socket.counts, timeout=WAIT)
        return (row["child"]["id"], row["status"]) == expected

    results = await asyncio.gather(*(heard(s) for s in sockets), return_exceptions=True)
    return sum(r is True for r in results)


async def close_all(sockets: list[Dashboard]) -> None:
    await asyncio.gather(*(s.client.close() for s in sockets), return_exceptions=True)


async def _cycle(
    server: server_process.ServerProcess,
    http: httpx.AsyncClient,
    fixture: Fixture,
    changes: Changes,
    count: int,
) -> Cycle:
    """Open ``count`` sockets, send them one change, close them: RSS at each stage."""
    sockets, failed = await open_many(server.ws_url, fixture, count)
    try:
        if not await held(server, len(sockets)):
            raise RuntimeError(f"the server does not hold the {len(sockets)} open sockets")
        await settled(server)
        rss_open = rss_kib(server.process.pid)
        delivered = await deliver(http, fixture.token, changes, sockets)
        await settled(server)
        rss_changed = rss_kib(server.process.pid)
    finally:
        await close_all(sockets)
    if not await held(server, 0):
        raise RuntimeError("the server still holds sockets this process closed")
    await settled(server)
    return Cycle(
        sockets=len(sockets),
        rss_open=rss_open,
        rss_changed=rss_changed,
        delivered=delivered,
        rss_closed=rss_kib(server.process.pid),
        failed=repr(failed[0]) if failed else None,
    )


async def measure(
    fixture: Fixture, workdir: Path, sockets: int = SOCKETS, cycles: int = CYCLES
) -> MemoryResult:
    result = MemoryResult(target=sockets)
    limit = raise_descriptor_limit()
    if limit < sockets + SPARE_DESCRIPTORS:
        result.notes.append(f"RLIMIT_NOFILE is {limit}: {sockets} sockets may not fit")
    changes = Changes(fixture.memory_room.id, fixture.memory_room.child_ids)
    async with (
        server_process.running(fixture.settings, workdir) as server,
        httpx.AsyncClient(base_url=server.http_url, timeout=WAIT) as http,
    ):
        warm = await _cycle(server, http, fixture, changes, WARM_SOCKETS)
        if warm.delivered < warm.sockets:
            result.notes.append(f"warm-up: {warm.delivered} of {warm.sockets} had the change")
        result.rss_idle = warm.rss_closed
        for _ in range(cycles):
            cycle = await _cycle(server, http, fixture, changes, sockets)
            result.cycles.append(cycle)
            if cycle.failed:
                result.notes.append(f"{sockets - cycle.sockets} sockets failed: {cycle.failed}")
                break  # the next cycle would fail the same way
        errors = server.logged_errors()
        if errors:
            result.notes.append(f"the server logged {len(errors)} errors; first: {errors[0]}")
    return result


def memory_section(r: MemoryResult) -> str:
    lines = [f"   idle, warmed ({WARM_SOCKETS} sockets opened and closed): {r.rss_idle:,} KiB RSS"]
    lines.append(
        f"   {'cycle':>5}  {'sockets':>7}  {'open KiB':>9}  {'+change KiB':>11}  "
        f"{'had change':>10}  {'closed KiB':>10}"
    )
    for n, c in enumerate(r.cycles, 1):
        lines.append(
            f"   {n:>5}  {c.sockets:>7}  {c.rss_open:>9,}  {c.rss_changed:>11,}  "
            f"{c.delivered:>10}  {c.rss_closed:>10,}"
        )
    if r.cycles:
        first = r.cycles[0]
        lines.append(
            f"   per socket (cycle 1, from idle): {r.per_socket(first.rss_open):.1f} KiB "
            f"subscribed, {r.per_socket(first.rss_changed):.1f} KiB after a change"
        )
        lines.append(f"   RSS after the last cycle vs after the first: {r.drift:+.1%}")
    lines += [f"   note: {note}" for note in r.notes]
    return "\n".join(lines)


def memory_goals(r: MemoryResult) -> list[Goal]:
    per_socket_name = f"memory per open socket ({r.target:,} dashboard sockets)"
    cycles_name = f"RSS after {CYCLES} open/close cycles of {r.target:,} sockets"
    full = [c for c in r.cycles if c.sockets >= 0.9 * r.target]
    if not full or len(r.cycles) < CYCLES or len(full) < len(r.cycles):
        missing = f"not every cycle opened 90% of {r.target:,} sockets"
        return [
            Goal(per_socket_name, f"<= {PER_SOCKET_KIB:g} KiB", missing, None),
            Goal(cycles_name, f"within {CYCLE_DRIFT:.0%} of cycle 1", missing, None),
        ]
    first = r.cycles[0]
    # The worse of the two first-cycle figures: a socket that has carried a change.
    cost = max(r.per_socket(first.rss_open), r.per_socket(first.rss_changed))
    lost = sum(c.sockets - c.delivered for c in r.cycles)
    return [
        Goal(
            per_socket_name,
            f"<= {PER_SOCKET_KIB:g} KiB",
            f"{cost:.1f} KiB ({first.rss_changed - r.rss_idle:,} KiB over idle "
            f"{r.rss_idle:,} KiB, {first.sockets} sockets)",
            cost <= PER_SOCKET_KIB,
        ),
        Goal(
            cycles_name,
            f"within {CYCLE_DRIFT:.0%} of cycle 1",
            f"{r.drift:+.1%} ({first.rss_closed:,} -> {r.cycles[-1].rss_closed:,} KiB)",
            abs(r.drift) <= CYCLE_DRIFT,
        ),
        Goal("memory part: changes lost", "0", str(lost), lost == 0),
    ]
