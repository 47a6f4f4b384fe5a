"""``python -m bench``: run the parts in one process and print their figures and goals.

1. roster query: GraphQL vs. a plain JSON endpoint over the same services;
2. signIn → subscriber socket latency vs. a bare broadcaster publish → receive;
3. fan-out of one change to 1, 100 and 1,000 sockets: time to last, server CPU;
4. SQL statements per signIn;
5. memory: the server's RSS per open dashboard socket, and over open/close cycles;
6. sign-in throughput of one instance beside /healthz and { __typename };
7. two instances under that load: every row reaches every subscriber.

Memory runs before the loads: they add hundreds of children and thousands of entries to
the site whose counts each dashboard socket reads.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import fanout, instances, latency, memory, roster, statements, throughput
from bench.fixture import ROSTER_SIZE, Fixture, prepared
from bench.goals import Goal, fanout_goals, goals_section, statement_goals, with_unmeasured
from bench.options import Options, Plan, parse
from bench.report import Results, fanout_section, latency_section, roster_section, summary


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()  # progress shows while the slow parts run


def redacted(url: str) -> str:
    """The URL without its password, fit to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def header(options: Options, database_url: str) -> str:
    plan = options.plan
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    fanout_rounds = ", ".join(f"{n} sockets x{r}" for n, r in sorted(plan.fanout_rounds.items()))
    return "\n".join(
        [
            f"Playroll benchmark ({plan.name} run, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
            f"platform:  {platform.platform()}, Python {platform.python_version()}",
            f"cpu:       {os.cpu_count()} cores ({usable} usable), {cpu_model()}",
            f"database:  {redacted(database_url)}",
            f"broadcast: {redacted(options.broadcast_url)}",
            f"N:         roster {plan.roster_requests} requests per path "
            f"(+{plan.roster_warmup} warm-up); latency {plan.latency_rounds} changes "
            f"(+{plan.latency_warmup} warm-up), bare {plan.bare_rounds} publishes; "
            f"fan-out rounds {fanout_rounds} (+{fanout.WARMUP_ROUNDS} warm-up each)",
        ]
    )


async def run(options: Options, workdir: Path) -> Results:
    plan: Plan = options.plan
    database_url = options.database_url or f"sqlite://{workdir / 'bench.db'}"
    say(header(options, database_url))
    roster_result, latency_result, fanout_result = None, None, None
    goals: list[Goal] = []
    only = options.only
    async with prepared(database_url, options.broadcast_url, options.deflate) as fixture:
        if only is None:
            say(f"\n1. Roster query, {ROSTER_SIZE}-child classroom (in-process ASGI, no network)")
            roster_result = await roster.measure(fixture, plan.roster_warmup, plan.roster_requests)
            say(roster_section(roster_result))

            say("\n2. signIn mutation -> subscriber socket (uvicorn in-process, loopback)")
            latency_result = await latency.measure(
                fixture,
                plan.latency_warmup,
                plan.latency_rounds,
                plan.bare_warmup,
                plan.bare_rounds,
            )
            say(latency_section(latency_result, options.broadcast_url))

        if only in (None, "fanout"):
            deflate = "on" if options.deflate else "off"
            say(
                "\n3. Fan-out of one change (`playroll serve` in a child process, "
                f"deflate {deflate})"
            )
            fanout_result = await fanout.measure(fixture, plan.fanout_rounds, workdir)
            say(fanout_section(fanout_result))
            goals += fanout_goals(fanout_result)
        if only is None:
            counted = await statements.measure(fixture)
            goals += statement_goals(counted.one_child, counted.three_children)
        if only in (None, "memory"):
            say(f"\n5. Memory of {memory.SOCKETS:,} dashboard sockets (`playroll serve`, child)")
            memory_result = await memory.measure(fixture, workdir)
            say(memory.memory_section(memory_result))
            goals += memory.memory_goals(memory_result)
        if only in (None, "throughput"):
            say(f"\n6. Sign-in throughput (`playroll serve --workers {options.workers}`)")
            rates = await throughput.measure(
                fixture, plan.throughput_seconds, workdir, options.workers
            )
            say(throughput.section(rates))
            goals += throughput.goals(rates)
        if only in (None, "instances"):
            goals += await _instances(fixture, options, plan, workdir)
    say("\nGoals (issue 19)")
    say(goals_section(with_unmeasured(goals)))
    return Results(options, roster_result, latency_result, fanout_result)


async def _instances(fixture: Fixture, options: Options, plan: Plan, workdir: Path) -> list[Goal]:
    say("\n7. Two instances under the throughput load (`playroll serve` x2, one Redis)")
    if not options.broadcast_url.startswith("redis"):
        say("   skipped: two instances share events only through --broadcast-url redis://")
        return instances.not_measured("needs --broadcast-url redis://")
    result = await instances.measure(fixture, plan.throughput_seconds, workdir)
    say(instances.section(result))
    return instances.goals(result)


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    with tempfile.TemporaryDirectory(prefix="playroll-bench-") as workdir:
        results = asyncio.run(run(options, Path(workdir)))
    say()
    say(summary(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
