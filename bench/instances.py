"""Part 7: two instances under the throughput load; does every subscriber hear every row?

Two ``playroll serve`` processes share the database and Redis. Each gets the same number
of sockets, spread over the throughput classrooms, one ``rosterChanged`` subscription
per socket: every classroom is watched on both instances, as tablets would watch it,
and the frames the bench process must read stay within what it can read while also
driving the load (every socket on every classroom would be 14 times the frames, and a
reader that falls behind is cut off by the server as a slow consumer, which would
measure the bench, not the servers). Then part 6's 32 clients sign children in and out,
clients alternating between the instances, for the plan's time. Every mutation that
succeeded is noted (child, status, when it was sent); once the load stops, each socket
must hold exactly its classroom's rows, in each child's order.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import server_process, throughput
from bench.fixture import Fixture
from bench.goals import Goal
from bench.live import READ_FOREVER, SIGN_IN, SIGN_OUT, close_all, post_change, subscribe
from bench.server_process import ServerProcess
from bench.stats import Summary, ms, table
from tests.wsclient import WSClient

INSTANCES = 2
SOCKETS_PER_INSTANCE = 50
OPEN_CONCURRENCY = 20
PRIME_ATTEMPTS = 5
PRIME_SECONDS = 5.0
DRAIN_SECONDS = 15.0  # after the load, for rows still on their way
POLL_SECONDS = 0.05
GOAL_NAME = "two instances under load: events lost"

Row = tuple[str, str, float]  # child id, status, when this process read it


@dataclass
class Watcher:
    """One socket, subscribed to one classroom on one instance."""

    instance: int
    room_id: str
    client: WSClient
    sub_id: str
    rows: list[Row] = field(default_factory=list)
    error: str = ""

    async def read(self) -> None:
        try:
            while True:
                data = await self.client.next(self.sub_id, timeout=READ_FOREVER)
                row = data["rosterChanged"]
                self.rows.append((row["child"]["id"], row["status"], time.perf_counter()))
        except asyncio.CancelledError:
            raise
        except Exception as e:  # closed by the server (1013: too slow), or refused
            self.error = f"{type(e).__name__}: {e}"[:200]

    def has(self, child_id: str, status: str, since: int = 0) -> bool:
        return any(c == child_id and s == status for c, s, _ in self.rows[since:])


@dataclass
class Ledger:
    """Every mutation the load sent: those that succeeded, per classroom and child, in order."""

    sent: dict[str, dict[str, list[tuple[str, float]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    succeeded: int = 0
    failed: int = 0
    first_failure: str = ""

    def signed(
        self, room_id: str, child_id: str, status: str, began: float, problem: str | None
    ) -> None:
        if problem:
            self.failed += 1
            self.first_failure = self.first_failure or problem
            return
        self.succeeded += 1
        self.sent[room_id][child_id].append((status, began))

    def expected(self, room_id: str) -> int:
        return sum(len(rows) for rows in self.sent[room_id].values())


@dataclass(frozen=True)
class Tally:
    """What one instance's sockets received against what they should have."""

    instance: int
    sockets: int
    expected: int
    received: int
    lost: int
    extra: int  # rows no successful mutation explains (a resync resends the classroom)
    out_of_order: int  # (socket, child) pairs whose rows came in another order
    cut_off: int  # sockets whose reading ended early (closed by the server, most often)
    first_error: str
    cpu_share: float  # the instance's CPU over the load, as a share of one core
    # Its event loop's time runnable but waiting for a core (other processes had them),
    # as a share of the load's time: high means the machine, not the server, set the pace.
    waited_share: float


@dataclass(frozen=True)
class InstancesResult:
    rooms: int
    rate: throughput.Rate
    succeeded: int
    failed: int
    first_failure: str
    tallies: list[Tally]
    delivery: Summary | None  # mutation sent -> row read, every socket of both instances
    log_lines: list[str]  # errors and warnings the servers logged

    @property
    def lost(self) -> int:
        return sum(t.lost for t in self.tallies)

    @property
    def expected(self) -> int:
        return sum(t.expected for t in self.tallies)


def compare(watcher: Watcher, ledger: Ledger) -> tuple[int, int, int, list[float]]:
    """Lost, extra, out-of-order children, and delivery times of one socket."""
    got: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for child, status, at in watcher.rows:
        got[child].append((status, at))
    lost = extra = disorder = 0
    took: list[float] = []
    sent = ledger.sent[watcher.room_id]
    for child in sent.keys() | got.keys():
        want, have = sent.get(child, []), got.get(child, [])
        wanted = Counter(s for s, _ in want)
        had = Counter(s for s, _ in have)
        lost += (wanted - had).total()
        extra += (had - wanted).total()
        if [s for s, _ in want] == [s for s, _ in have]:
            took += [at - began for (_, began), (_, at) in zip(want, have, strict=True)]
        elif wanted == had:
            disorder += 1
    return lost, extra, disorder, took


async def _open(servers: list[ServerProcess], token: str, rooms: list[str]) -> list[Watcher]:
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def one(instance: int, number: int) -> Watcher:
        room = rooms[number % len(rooms)]
        async with gate:
            client, sub_id = await subscribe(servers[instance].ws_url, token, room)
        return Watcher(instance, room, client, sub_id)

    return list(
        await asyncio.gather(
            *(one(i, n) for i in range(len(servers)) for n in range(SOCKETS_PER_INSTANCE))
        )
    )


async def _until(condition: Callable[[], bool], within: float) -> bool:
    """Poll ``condition()`` until it holds (True) or ``within`` seconds pass (False)."""
    deadline = time.perf_counter() + within
    while not condition():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(POLL_SECONDS)
    return True


def _heard(everyone: list[tuple[Watcher, str, int]]) -> Callable[[], bool]:
    """Whether every socket read its primer child's sign-out since its mark."""
    return lambda: all(w.has(child, "SIGNED_OUT", mark) for w, child, mark in everyone)


async def _prime(
    servers: list[ServerProcess], token: str, primers: dict[str, str], watchers: list[Watcher]
) -> None:
    """Sign one child per classroom in on one instance and out on the other until every
    socket hears both: all subscriptions are then live. Their rows are then forgotten."""
    https = [httpx.AsyncClient(base_url=s.http_url, timeout=30) for s in servers]
    try:
        for _ in range(PRIME_ATTEMPTS):
            marks = [len(w.rows) for w in watchers]

            async def both(room: str, child: str) -> None:
                variables = {"i": {"childIds": [child], "classroomId": room}}
                await post_change(https[0], token, {"query": SIGN_IN, "variables": variables})
                await post_change(https[1], token, {"query": SIGN_OUT, "variables": variables})

            await asyncio.gather(*(both(room, child) for room, child in primers.items()))
            everyone = [
                (w, primers[w.room_id], mark) for w, mark in zip(watchers, marks, strict=True)
            ]
            if await _until(_heard(everyone), PRIME_SECONDS):
                for watcher in watchers:
                    watcher.rows.clear()
                return
    finally:
        await asyncio.gather(*(h.aclose() for h in https))
    deaf = sum(not w.has(primers[w.room_id], "SIGNED_OUT") for w in watchers)
    raise RuntimeError(f"{deaf} of {len(watchers)} sockets never heard a change")


def _tally(
    instance: int, watchers: list[Watcher], ledger: Ledger, usage: tuple[float, float]
) -> tuple[Tally, list[float]]:
    mine = [w for w in watchers if w.instance == instance]
    lost = extra = disorder = 0
    took: list[float] = []
    for watcher in mine:
        w_lost, w_extra, w_disorder, w_took = compare(watcher, ledger)
        lost, extra, disorder = lost + w_lost, extra + w_extra, disorder + w_disorder
        took += w_took
    errors = [w.error for w in mine if w.error]
    tally = Tally(
        instance=instance,
        sockets=len(mine),
        expected=sum(ledger.expected(w.room_id) for w in mine),
        received=sum(len(w.rows) for w in mine),
        lost=lost,
        extra=extra,
        out_of_order=disorder,
        cut_off=len(errors),
        first_error=errors[0] if errors else "",
        cpu_share=usage[0],
        waited_share=usage[1],
    )
    return tally, took


def _clocks(server: ServerProcess) -> tuple[float, float]:
    """CPU seconds of the server, and seconds its main thread (the event loop) spent
    runnable but waiting for a core (/proc/<pid>/schedstat, field 2, in nanoseconds)."""
    try:
        waited = int(Path(f"/proc/{server.process.pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        waited = 0.0  # not Linux, or schedstats off: the column reads 0%
    return server.cpu_seconds(), waited


def _shares(
    after: tuple[float, float], before: tuple[float, float], wall: float
) -> tuple[float, float]:
    return (after[0] - before[0]) / wall, (after[1] - before[1]) / wall


def _log_lines(servers: list[ServerProcess]) -> list[str]:
    lines: list[str] = []
    for number, server in enumerate(servers):
        text = server.log_path.read_text(errors="replace") if server.log_path.exists() else ""
        lines += [
            f"instance {'AB'[number]}: {line}"
            for line in text.splitlines()
            if "WARNING" in line or " ERROR " in line or "Traceback" in line
        ]
    return lines


def _rooms(children: list[list[str]]) -> tuple[list[str], dict[str, str]]:
    """The throughput classrooms, and one child of each to prime the subscriptions with."""
    primers: dict[str, str] = {}
    for ids in children:
        for pair in ids:
            room, child = pair.split("/")
            primers.setdefault(room, child)
    return sorted(primers), primers


async def measure(fixture: Fixture, seconds: float, workdir: Path) -> InstancesResult:
    load = await throughput.prepare_load(fixture)
    rooms, primers = _rooms(load.children)
    token = fixture.token
    ledger = Ledger()
    folders = [workdir / f"instance-{'ab'[n]}" for n in range(INSTANCES)]
    for folder in folders:
        folder.mkdir(exist_ok=True)  # each server writes its own server.log
    async with (
        server_process.running(fixture.settings, folders[0]) as first,
        server_process.running(fixture.settings, folders[1]) as second,
    ):
        servers = [first, second]
        watchers = await _open(servers, token, rooms)
        readers = [asyncio.create_task(w.read()) for w in watchers]
        try:
            await _prime(servers, token, primers, watchers)
            before = [_clocks(s) for s in servers]
            wall_before = time.perf_counter()
            urls = [s.http_url for s in servers]
            signing = throughput.signing_pairs(load, ledger.signed)
            rate = await throughput.measure_rate("signIn + signOut pairs", urls, signing, seconds)
            wall = time.perf_counter() - wall_before
            usage = [_shares(_clocks(s), b, wall) for s, b in zip(servers, before, strict=True)]
            await _until(
                lambda: all(len(w.rows) >= ledger.expected(w.room_id) for w in watchers),
                DRAIN_SECONDS,
            )
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
            await close_all([w.client for w in watchers])
        log_lines = _log_lines(servers)
    return _result(rooms, rate, ledger, watchers, usage, log_lines)


def _result(
    rooms: list[str],
    rate: throughput.Rate,
    ledger: Ledger,
    watchers: list[Watcher],
    usage: list[tuple[float, float]],
    log_lines: list[str],
) -> InstancesResult:
    tallies, took = [], []
    for instance in range(INSTANCES):
        tally, times_ = _tally(instance, watchers, ledger, usage[instance])
        tallies.append(tally)
        took += times_
    return InstancesResult(
        rooms=len(rooms),
        rate=rate,
        succeeded=ledger.succeeded,
        failed=ledger.failed,
        first_failure=ledger.first_failure,
        tallies=tallies,
        delivery=Summary.of(took) if took else None,
        log_lines=log_lines,
    )


def section(result: InstancesResult) -> str:
    rate = result.rate
    rows = [
        [
            "AB"[t.instance],
            str(t.sockets),
            f"{t.expected:,}",
            f"{t.received:,}",
            str(t.lost),
            str(t.extra),
            str(t.out_of_order),
            str(t.cut_off),
            f"{t.cpu_share:.0%}",
            f"{t.waited_share:.0%}",
        ]
        for t in result.tallies
    ]
    headers = ["instance", "sockets", "rows expected", "received", "lost", "extra"]
    headers += ["out of order", "cut off", "server CPU", "waited for a core"]
    delivery = result.delivery
    lines = [
        f"   {SOCKETS_PER_INSTANCE} sockets per instance over {result.rooms} classrooms; "
        f"{throughput.CLIENTS} clients alternating between the instances, "
        f"{rate.seconds:g} s after {throughput.WARMUP_SECONDS:g} s warm-up",
        f"   pairs: {rate.per_second:,.0f}/s, p50 {ms(rate.latency.p50)}, "
        f"p99 {ms(rate.latency.p99)} per mutation; mutations succeeded {result.succeeded:,} "
        f"(warm-up included), failed {result.failed}; client CPU {rate.client_cpu_share:.0%}",
        *(f"   {line}" for line in table(headers, rows).splitlines()),
    ]
    if delivery is not None:
        lines.append(
            f"   mutation sent -> row read, every socket: p50 {ms(delivery.p50)}, "
            f"p99 {ms(delivery.p99)}, max {ms(delivery.max)} ({delivery.count:,} rows)"
        )
    if result.first_failure:
        lines.append(f"   first failed mutation: {result.first_failure}")
    lines += [f"   {t.first_error}" for t in result.tallies if t.first_error]
    if result.log_lines:
        lines.append(f"   the servers logged {len(result.log_lines)} warning/error line(s):")
        lines += [f"     {line[:240]}" for line in result.log_lines[:8]]
    return "\n".join(lines)


def not_measured(reason: str) -> list[Goal]:
    return [Goal(GOAL_NAME, "0", reason, None)]


def goals(result: InstancesResult) -> list[Goal]:
    per = ", ".join(f"{'AB'[t.instance]} {t.lost}" for t in result.tallies)
    return [
        Goal(
            GOAL_NAME,
            "0",
            f"{result.lost} of {result.expected:,} rows ({per}) at "
            f"{result.rate.per_second:,.0f} pairs/s",
            result.lost == 0 and result.expected > 0,
        )
    ]
