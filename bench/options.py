"""Command-line options and the two run sizes (``--quick`` and full)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

SECRET_KEY = "bench-secret-key-that-is-long-enough-000000"
FANOUT_SIZES = (1, 10, 100, 1000)


@dataclass(frozen=True)
class Plan:
    """How many requests, rounds and sockets each part uses."""

    name: str
    roster_warmup: int
    roster_requests: int
    latency_warmup: int
    latency_rounds: int
    bare_warmup: int
    bare_rounds: int
    # Rounds per fan-out size. Small sizes get more rounds: the server's CPU clock only
    # ticks every 10 ms, and one event to one socket costs about that much.
    fanout_rounds: dict[int, int] = field(default_factory=dict)
    throughput_seconds: float = 10.0  # per rate (healthz, __typename, sign-ins)


QUICK = Plan(
    name="quick",
    roster_warmup=10,
    roster_requests=60,
    latency_warmup=5,
    latency_rounds=40,
    bare_warmup=50,
    bare_rounds=300,
    fanout_rounds={1: 10, 10: 10, 100: 5, 1000: 3},
    throughput_seconds=3.0,
)
FULL = Plan(
    name="full",
    roster_warmup=40,
    roster_requests=400,
    latency_warmup=20,
    latency_rounds=300,
    bare_warmup=200,
    bare_rounds=3000,
    fanout_rounds={1: 40, 10: 30, 100: 20, 1000: 10},
)


@dataclass(frozen=True)
class Options:
    plan: Plan
    database_url: str | None  # None: a fresh SQLite file in a temporary directory
    broadcast_url: str
    deflate: bool = False  # permessage-deflate on the fan-out server's sockets
    fanout_only: bool = False
    throughput_only: bool = False
    instances_only: bool = False
    workers: int = 1  # worker processes of the throughput part's server
    memory_only: bool = False

    @property
    def only(self) -> str | None:
        """The one part asked for alone (fanout, throughput, instances, memory), or None."""
        for name in ("fanout", "throughput", "instances", "memory"):
            if getattr(self, f"{name}_only"):
                return name
        return None


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure Playroll's GraphQL, live-update and fan-out costs as ratios.",
    )
    parser.add_argument("--quick", action="store_true", help="a short run (about a minute)")
    parser.add_argument(
        "--database-url",
        help="a throwaway database (default: a temporary SQLite file); bench data is added",
    )
    parser.add_argument(
        "--broadcast-url",
        default="memory://",
        help="memory:// (default) or redis://host:port/db",
    )
    parser.add_argument(
        "--deflate", action="store_true", help="the fan-out server with permessage-deflate"
    )
    parser.add_argument("--fanout-only", action="store_true", help="run part 3 alone")
    parser.add_argument("--throughput-only", action="store_true", help="run part 6 alone")
    parser.add_argument(
        "--instances-only", action="store_true", help="run part 7 (two instances) alone"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes of the throughput server (needs --broadcast-url redis://)",
    )
    parser.add_argument("--memory-only", action="store_true", help="run part 5 alone")
    args = parser.parse_args(argv)
    return Options(
        plan=QUICK if args.quick else FULL,
        database_url=args.database_url,
        broadcast_url=args.broadcast_url,
        deflate=args.deflate,
        fanout_only=args.fanout_only,
        throughput_only=args.throughput_only,
        instances_only=args.instances_only,
        workers=args.workers,
        memory_only=args.memory_only,
    )
