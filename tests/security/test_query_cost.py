"""Query cost: fragments count every time they are reached, and cost is checked first.

The work a request causes is measured by counting Python function calls (a profiler
hook), never by a clock: a document that would cost a million fields must be refused
after a few thousand calls, including every library rule that walks fragments.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import httpx
from graphql import parse

from schema.cost import document_cost
from schema.limits import Limits
from tests.graphql import GraphQLClient


class WorkBudgetExceeded(BaseException):
    """A BaseException, so no error handler on the way can turn it into an answer."""


@contextmanager
def call_budget(limit: int) -> Iterator[list[int]]:
    """Fail as soon as the code under test makes more than ``limit`` Python calls."""
    calls = [0]

    def count(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            calls[0] += 1
            if calls[0] > limit:
                sys.setprofile(None)
                raise WorkBudgetExceeded(f"more than {limit} Python calls")

    sys.setprofile(count)
    try:
        yield calls
    finally:
        sys.setprofile(None)


def doubling_fragments(levels: int, leaf: str = "__typename") -> str:
    """Each fragment spreads the one below twice: 2**levels leaves in a few hundred bytes."""
    fragments = [f"fragment F0 on Query {{ {leaf} }}"] + [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)
    ]
    return "query { ...F%d } %s" % (levels, " ".join(fragments))


BOMB = doubling_fragments(20)


def test_the_bomb_is_small() -> None:
    assert len(BOMB.encode()) < 1024


def test_cost_counts_every_expansion_but_visits_each_selection_once() -> None:
    cost = document_cost(parse(BOMB))
    # F0 costs 1; Fi costs two spreads plus twice F(i-1); the query adds its own spread.
    expected = 1
    for _ in range(20):
        expected = 2 * (1 + expected)
    assert cost.selections == 1 + expected > 2_000_000
    # The query's spread, F0's field and two spreads in each of F1..F20.
    assert cost.visits == 1 + 1 + 2 * 20


def test_fragment_cycles_end() -> None:
    cyclic = "query { ...A } fragment A on Query { ...B __typename } fragment B on Query { ...A }"
    cost = document_cost(parse(cyclic))
    assert cost.visits == 4
    assert document_cost(parse("{ ...A } fragment A on Query { ...A }")).visits == 2


def test_every_operation_of_a_document_counts() -> None:
    one = "query A { ...F } fragment F on Query { viewer { __typename } }"
    two = "query A { ...F } query B { ...F } fragment F on Query { viewer { __typename } }"
    assert document_cost(parse(two)).selections == 2 * document_cost(parse(one)).selections


async def test_an_anonymous_fragment_bomb_is_refused_with_bounded_work(
    http: httpx.AsyncClient,
) -> None:
    with call_budget(100_000):
        response = await http.post("/graphql", json={"query": BOMB})
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_TOO_COMPLEX"]
    assert f"at most {Limits().max_cost}" in body["errors"][0]["message"]


async def test_health_check_answers_while_a_bomb_is_refused(http: httpx.AsyncClient) -> None:
    with call_budget(200_000):
        bomb, health = await asyncio.gather(
            http.post("/graphql", json={"query": BOMB}), http.get("/healthz")
        )
    assert bomb.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert health.status_code == 200


async def test_fragments_within_the_limit_are_answered(gql: GraphQLClient) -> None:
    document = doubling_fragments(6)
    assert document_cost(parse(document)).selections == 191
    result = await gql.execute(document)
    assert result.errors == []
    assert result.data == {"__typename": "Query"}


async def test_the_largest_document_within_the_limit_costs_bounded_work(
    http: httpx.AsyncClient,
) -> None:
    # Repeating one field is the worst case for graphql-core's field-merging check, whose
    # work grows with the square of the selections: the cost limit is what bounds it.
    repeated = "{ sites { %s } }" % " ".join(["id"] * (Limits().max_cost - 2))
    with call_budget(1_000_000):
        response = await http.post("/graphql", json={"query": repeated})
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    too_many = "{ sites { %s } }" % " ".join(["id"] * Limits().max_cost)
    with call_budget(100_000):
        response = await http.post("/graphql", json={"query": too_many})
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_a_cyclic_document_is_refused_as_bad_input(gql: GraphQLClient) -> None:
    result = await gql.execute(
        "query { ...A } fragment A on Query { ...B __typename } fragment B on Query { ...A }"
    )
    assert result.data is None
    assert "BAD_USER_INPUT" in result.codes
