"""Part 6: sign-in throughput of one instance, beside the rate of its two cheapest answers.

``playroll serve`` runs in a child process (``--workers N`` when asked); this process
runs 32 clients, each with its own keep-alive connection and its own children, in one
event loop. Each client repeats signIn then signOut of its next child for a fixed time;
a pair is one sign-in. The same 32 clients then ask ``GET /healthz`` and
``{ __typename }`` (with the staff token) for the same time, so the three rates come
from the same machine in the same minute: the sign-in rate is read against what the
server does with no work at all.

The clients share the machine's cores with the server and the database. Their own CPU
share is printed: when it is high, the rate is partly the client's limit, not the
server's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench import server_process
from bench.fixture import Fixture
from bench.goals import Goal
from bench.live import SIGN_IN, SIGN_OUT
from bench.stats import Summary, ms, ratio, table, us
from models.org import Agency, Classroom, ModuleAccess, Site
from tests import factories as make

CLIENTS = 32
CHILDREN_PER_CLIENT = 8
WARMUP_SECONDS = 2.0
REQUEST_TIMEOUT = 30.0
GOAL_PER_SECOND = 300
GOAL_P99_SECONDS = 0.250


@dataclass(frozen=True)
class Rate:
    """Requests (or sign-in pairs) completed per second, and their latencies."""

    label: str
    completed: int
    seconds: float
    latency: Summary
    failures: int
    first_failure: str
    client_cpu_share: float  # this process's CPU over the window, as a share of one core
    calls_made: int  # warm-up and late ones included: what the server's CPU was spent on
    server_cpu_per_call: float | None = None  # one worker only: its CPU over the whole load

    def with_server_cpu(self, seconds: float, calls: int) -> Rate:
        return dataclasses.replace(self, server_cpu_per_call=ratio(seconds, calls))

    @property
    def per_second(self) -> float:
        return ratio(self.completed, self.seconds)


@dataclass(frozen=True)
class ThroughputResult:
    workers: int
    clients: int
    healthz: Rate
    typename: Rate
    sign_ins: Rate  # latency: of each mutation (signIn or signOut), not of the pair


# One call from one client: returns a problem (or None) and appends each round trip's
# latency to the list it is given.
Request = Callable[[aiohttp.ClientSession, int, list[float]], Awaitable[str | None]]


@dataclass(frozen=True)
class Load:
    """Per client: its own children ("classroom id/child id") and its own staff token, as
    32 tablets each signed in by their own teacher (one token for all would let one
    cached session serve every request)."""

    children: list[list[str]]
    tokens: list[str]


async def prepare_load(fixture: Fixture) -> Load:
    """Eight children per client, in classrooms of 40 at the fixture's site, and a teacher
    with Attendance edit at the site per client."""
    site = await Site.get(id=(await Classroom.get(id=fixture.roster_room.id)).site_id)
    agency = await Agency.get(id=site.agency_id)
    role = await make.role(agency, attendance=ModuleAccess.EDIT, students=ModuleAccess.VIEW)
    wanted = CLIENTS * CHILDREN_PER_CLIENT
    ids: list[str] = []
    for number in range(0, wanted, 40):
        room = await make.classroom(site, f"Throughput {number // 40 + 1}")
        for i in range(min(40, wanted - number)):
            kid = await make.child(room, first_name=f"Peak{number + i:03d}", last_name="Family")
            ids.append(f"{room.id}/{kid.id}")
    tokens = [
        await make.token_for(
            await make.staff(agency, role=role, sites=[site]),
            make.ANY_WALL_CLOCK,
        )
        for _ in range(CLIENTS)
    ]
    return Load([ids[c::CLIENTS] for c in range(CLIENTS)], tokens)


# Told of each mutation a pair sent: classroom id, child id, the status subscribers then
# see, when it was sent (perf_counter), and its problem (None: it succeeded).
Signed = Callable[[str, str, str, float, str | None], None]


def signing_pairs(load: Load, signed: Signed | None = None) -> Request:
    """Each client's request: a signIn then a signOut of its next child, in turn; each
    answer is also handed to ``signed`` (part 7 keeps the ledger of rows owed)."""
    turns = [0] * CLIENTS
    steps = ((SIGN_IN, "signIn", "SIGNED_IN"), (SIGN_OUT, "signOut", "SIGNED_OUT"))

    async def pair(http: aiohttp.ClientSession, client: int, took: list[float]) -> str | None:
        mine, token = load.children[client], load.tokens[client]
        room_id, child_id = mine[turns[client] % len(mine)].split("/")
        turns[client] += 1
        variables = {"i": {"childIds": [child_id], "classroomId": room_id}}
        for query, name, status in steps:
            body = {"query": query, "variables": variables}
            began = time.perf_counter()
            try:
                problem = await _post(http, body, token, name)
            except (aiohttp.ClientError, TimeoutError) as e:
                problem = f"{type(e).__name__}: {e}"
            took.append(time.perf_counter() - began)
            if signed is not None:
                signed(room_id, child_id, status, began, problem)
            if problem:
                return problem
        return None

    return pair


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def _post(
    http: aiohttp.ClientSession, body: Mapping[str, object], token: str, field: str
) -> str | None:
    """POST /graphql; the problem with the answer, or None when ``field`` has no errors."""
    async with http.post("/graphql", json=body, headers=_bearer(token)) as answer:
        if answer.status != 200:
            return f"HTTP {answer.status}: {(await answer.text())[:200]}"
        payload = await answer.json()
    if payload.get("errors"):
        return str(payload["errors"])[:300]
    errors = payload["data"][field]["errors"] if field != "__typename" else []
    return str(errors)[:300] if errors else None


async def measure_rate(
    label: str, urls: str | Sequence[str], request: Request, seconds: float
) -> Rate:
    """Run ``request`` from every client for warm-up + ``seconds``; count the window only.

    With several server URLs, client ``i`` speaks to ``urls[i % len(urls)]``."""
    targets = [urls] if isinstance(urls, str) else list(urls)
    loop = asyncio.get_running_loop()
    start = loop.time()
    window_start, window_end = start + WARMUP_SECONDS, start + WARMUP_SECONDS + seconds
    latencies: list[float] = []
    failures: list[str] = []
    completed = made = 0

    async def client(index: int) -> None:
        nonlocal completed, made
        connector = aiohttp.TCPConnector(limit=1)  # one keep-alive connection per client
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        url = targets[index % len(targets)]
        async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as http:
            while (began := loop.time()) < window_end:
                took: list[float] = []
                problem = await request(http, index, took)
                made += 1
                if not window_start <= began or loop.time() > window_end:
                    continue  # warm-up, or finished after the window closed
                if problem:
                    failures.append(problem)
                    continue
                completed += 1
                latencies.extend(took)

    await asyncio.sleep(0)
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(CLIENTS)))
    cpu_share = ratio(time.process_time() - cpu_before, time.perf_counter() - wall_before)
    return Rate(
        label,
        completed,
        seconds,
        Summary.of(latencies or [0.0]),
        len(failures),
        failures[0] if failures else "",
        cpu_share,
        made,
    )


async def measure(
    fixture: Fixture, seconds: float, workdir: Path, workers: int = 1
) -> ThroughputResult:
    load = await prepare_load(fixture)

    async def healthz(http: aiohttp.ClientSession, _: int, took: list[float]) -> str | None:
        began = time.perf_counter()
        async with http.get("/healthz") as answer:
            await answer.read()
        took.append(time.perf_counter() - began)
        return None if answer.status == 200 else f"HTTP {answer.status}"

    async def typename(http: aiohttp.ClientSession, client: int, took: list[float]) -> str | None:
        began = time.perf_counter()
        body = {"query": "{ __typename }"}
        problem = await _post(http, body, load.tokens[client], "__typename")
        took.append(time.perf_counter() - began)
        return problem

    async with server_process.running(fixture.settings, workdir, workers=workers) as server:
        url = server.http_url
        loads = [
            ("GET /healthz", healthz),
            ("{ __typename } with a token", typename),
            ("signIn + signOut pairs", signing_pairs(load)),
        ]
        rates = []
        for label, request in loads:
            cpu_before = server.cpu_seconds()
            rate = await measure_rate(label, url, request, seconds)
            if workers == 1:  # with more, the process measured is only the supervisor
                rate = rate.with_server_cpu(server.cpu_seconds() - cpu_before, rate.calls_made)
            rates.append(rate)
        health, bare, pairs = rates
        errors = server.logged_errors()
    if errors:
        raise RuntimeError("the server logged errors under load:\n" + "\n".join(errors[:10]))
    return ThroughputResult(workers, CLIENTS, health, bare, pairs)


def section(result: ThroughputResult) -> str:
    rows = []
    for rate in (result.healthz, result.typename, result.sign_ins):
        rows.append(
            [
                rate.label,
                f"{rate.per_second:,.0f}/s",
                ms(rate.latency.p50),
                ms(rate.latency.p99),
                str(rate.failures),
                f"{rate.client_cpu_share:.0%}",
                us(rate.server_cpu_per_call) if rate.server_cpu_per_call is not None else "-",
            ]
        )
    lines = [
        f"   {result.clients} clients, {result.workers} worker process(es), "
        f"{result.sign_ins.seconds:g} s each after {WARMUP_SECONDS:g} s warm-up",
        *(
            f"   {line}"
            for line in table(
                ["", "rate", "p50", "p99", "failed", "client CPU", "server CPU each"], rows
            ).splitlines()
        ),
        "   (sign-in latency is per mutation: a pair is a signIn then a signOut)",
    ]
    if result.sign_ins.first_failure:
        lines.append(f"   first failure: {result.sign_ins.first_failure}")
    return "\n".join(lines)


def goals(result: ThroughputResult) -> list[Goal]:
    rate = result.sign_ins
    return [
        Goal(
            f"sign-ins/s, {result.clients} clients, one instance",
            f">= {GOAL_PER_SECOND}/s, p99 < {ms(GOAL_P99_SECONDS)}",
            f"{rate.per_second:,.0f}/s, p99 {ms(rate.latency.p99)} ({result.workers} worker(s); "
            f"healthz {result.healthz.per_second:,.0f}/s, "
            f"__typename {result.typename.per_second:,.0f}/s)",
            rate.per_second >= GOAL_PER_SECOND
            and rate.latency.p99 < GOAL_P99_SECONDS
            and rate.failures == 0,
        )
    ]
