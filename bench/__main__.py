"""``python -m bench``: run the three parts in one process and print their ratios.

1. roster query: GraphQL vs. a plain JSON endpoint over the same services;
2. signIn → subscriber socket latency vs. a bare broadcaster publish → receive;
3. fan-out of one change to 1, 100 and 1,000 sockets: time to last, server CPU;
5. memory: the server's RSS per open dashboard socket, and over open/close cycles.
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

from bench import fanout, latency, memory, roster, statements
from bench.fixture import ROSTER_SIZE, prepared
from bench.goals import NOT_YET, Goal, fanout_goals, goals_section, statement_goals
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
    roster_result, latency_result = None, None
    fanout_result, goals = fanout.FanoutResult(), list[Goal]()
    async with prepared(database_url, options.broadcast_url, options.deflate) as fixture:
        if not (options.fanout_only or options.memory_only):
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

        if not options.memory_only:
            deflate = "on" if options.deflate else "off"
            part3 = (
                f"3. Fan-out of one change (`playroll serve` in a child process, deflate {deflate})"
            )
            say(f"\n{part3}")
            fanout_result = await fanout.measure(fixture, plan.fanout_rounds, workdir)
            say(fanout_section(fanout_result))
            counted = await statements.measure(fixture)
            goals += statement_goals(counted.one_child, counted.three_children)
            goals += fanout_goals(fanout_result)
        if not options.fanout_only:
            say(f"\n5. Memory of {memory.SOCKETS:,} dashboard sockets (`playroll serve`, child)")
            memory_result = await memory.measure(fixture, workdir)
            say(memory.memory_section(memory_result))
            goals += memory.memory_goals(memory_result)
    say("\nGoals (issue 19)")
    say(goals_section([*goals, *NOT_YET]))
    return Results(options, roster_result, latency_result, fanout_result)


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    with tempfile.TemporaryDirectory(prefix="playroll-bench-") as workdir:
        results = asyncio.run(run(options, Path(workdir)))
    say()
    say(summary(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
