"""Turning the measurements into the printed tables and the README summary."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from bench.fanout import FanoutResult
from bench.fixture import ROSTER_SIZE
from bench.latency import LatencyResult
from bench.options import Options
from bench.roster import RosterResult
from bench.stats import Summary, ms, table, times, us


@dataclass(frozen=True)
class Results:
    options: Options
    roster: RosterResult | None  # None with --fanout-only
    latency: LatencyResult | None
    fanout: FanoutResult | None  # None with --throughput-only


def _indent(text: str) -> str:
    return "\n".join(f"   {line}" if line else line for line in text.splitlines())


def _timings(name: str, s: Summary) -> list[str]:
    return [name, ms(s.mean), ms(s.p50), ms(s.p99), str(s.count)]


def roster_section(r: RosterResult) -> str:
    rows = [_timings("GraphQL POST /graphql", r.graphql), _timings("plain JSON GET", r.plain)]
    same = "yes" if r.equivalent else "NO (the comparison is not like for like)"
    return _indent(
        table(["path", "mean", "p50", "p99", "requests"], rows)
        + f"\nGraphQL / plain: mean {times(r.mean_ratio)}, p50 {times(r.p50_ratio)}"
        + f"\n({r.rows} rows; identical JSON from both paths: {same})"
    )


def latency_section(r: LatencyResult, broadcast_url: str) -> str:
    scheme = urlsplit(broadcast_url).scheme
    rows = [
        _timings("signIn/signOut POST -> socket", r.live),
        _timings(f"bare {scheme}:// publish -> receive", r.bare),
    ]
    return _indent(
        table(["path", "mean", "p50", "p99", "samples"], rows)
        + f"\nlive / bare: p50 {times(r.p50_ratio)}, p99 {times(r.p99_ratio)}"
        + f" (bare payload: a real event, {r.payload_bytes} bytes)"
    )


def fanout_section(r: FanoutResult) -> str:
    if not r.sizes:
        return _indent("\n".join(["no size could be measured", *r.notes]))
    rows = []
    for size in r.sizes:
        last_x, cpu_x = r.relative_to_one(size)
        label = (
            str(size.sockets) if size.sockets == size.target else f"{size.sockets}/{size.target}"
        )
        rows.append(
            [
                label,
                str(size.rounds),
                ms(size.to_first.mean),
                ms(size.to_last.mean),
                ms(size.to_last.max),
                us(size.cpu_per_message),
                times(last_x),
                times(cpu_x),
                str(size.missing),
            ]
        )
    headers = [
        "sockets",
        "rounds",
        "to first",
        "to last (mean)",
        "to last (max)",
        "server CPU/msg",
        "to last vs 1",
        "CPU/msg vs 1",
        "missing",
    ]
    lines = [table(headers, rows)]
    marginal = r.marginal_cpu_per_socket()
    if marginal is not None:
        lines.append(f"each extra socket adds {us(marginal)} of server CPU to a change")
    one = r.sizes[0]
    lines.append(
        f"server CPU is read from /proc in {r.tick_seconds * 1e3:.0f} ms ticks; "
        f"the 1-socket case used {one.cpu_seconds:.2f} s over {one.rounds} rounds"
    )
    lines.append(f"RLIMIT_NOFILE (soft, this process and the server): {r.descriptor_limit}")
    lines.extend(f"NOTE: {note}" for note in r.notes)
    return _indent("\n".join(lines))


def summary(results: Results) -> str:
    o, r, lat, f = results.options, results.roster, results.latency, results.fanout
    database = urlsplit(o.database_url).scheme if o.database_url else "sqlite"
    broadcast = urlsplit(o.broadcast_url).scheme
    lines = [
        "--- summary (for the README's performance section) ---",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `python -m bench` ({o.plan.name} run), "
        f"{os.cpu_count()} cores, {database}, {broadcast}://:",
    ]
    if r is not None:
        lines.append(
            f"- Roster of {ROSTER_SIZE} children: GraphQL takes {times(r.mean_ratio)} the time "
            f"of a plain JSON endpoint over the same services (mean {ms(r.graphql.mean)} vs "
            f"{ms(r.plain.mean)})."
        )
    if lat is not None:
        lines.append(
            f"- Live update, signIn to a subscriber's socket: p50 {ms(lat.live.p50)}, "
            f"p99 {ms(lat.live.p99)}; {times(lat.p50_ratio)} (p50) and {times(lat.p99_ratio)} "
            f"(p99) a bare broadcaster publish -> receive."
        )
    if f is not None and f.sizes:
        counts = " / ".join(f"{s.sockets:,}" for s in f.sizes)
        relative = [f.relative_to_one(s) for s in f.sizes]
        lines.append(
            f"- Fan-out to {counts} sockets: last socket after "
            + " / ".join(ms(s.to_last.mean) for s in f.sizes)
            + " ("
            + " / ".join(times(last) for last, _ in relative)
            + "); server CPU per delivered message "
            + " / ".join(us(s.cpu_per_message) for s in f.sizes)
            + " ("
            + " / ".join(times(cpu) for _, cpu in relative)
            + ")."
        )
    lines.extend(f"- Note: {note}" for note in (f.notes if f else []))
    return "\n".join(lines)
