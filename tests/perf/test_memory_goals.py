"""The memory part's verdicts (bench/memory.py): a figure over its target is NOT MET, and
a run that could not open its sockets says "not measured", never "met"."""

from __future__ import annotations

from bench.memory import CYCLES, Cycle, MemoryResult, memory_goals


def cycles(open_kib: int, closed_kib: list[int], sockets: int = 1000) -> list[Cycle]:
    return [Cycle(sockets, open_kib, open_kib, sockets, closed) for closed in closed_kib]


def test_a_cheap_socket_and_a_flat_cycle_are_met() -> None:
    result = MemoryResult(1000, rss_idle=100_000, cycles=cycles(140_000, [141_000] * CYCLES))
    per_socket, drift, lost = memory_goals(result)
    assert (per_socket.verdict, drift.verdict, lost.verdict) == ("met", "met", "met")
    assert per_socket.figure.startswith("40.0 KiB")


def test_an_expensive_socket_and_a_growing_rss_are_not_met() -> None:
    grown = [300_000, 360_000, 420_000, 480_000, 540_000]
    result = MemoryResult(1000, rss_idle=130_000, cycles=cycles(300_000, grown))
    per_socket, drift, _ = memory_goals(result)
    assert (per_socket.verdict, drift.verdict) == ("NOT MET", "NOT MET")
    assert drift.figure.startswith("+80.0%")


def test_too_few_sockets_is_not_measured() -> None:
    result = MemoryResult(1000, rss_idle=100_000, cycles=cycles(101_000, [101_000], sockets=500))
    assert [g.verdict for g in memory_goals(result)] == ["not measured", "not measured"]
