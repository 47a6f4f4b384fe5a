"""With debug off no message suggests a name: misspellings must not map the schema."""

from __future__ import annotations

from typing import Any

import pytest

from schema.limits import Limits
from schema.root import build_schema
from server.settings import Settings
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient

GUARDIANS = 'guardians(siteId: "1", %s) { id }'

# (what is misspelt, document, variables, the name a suggestion would give away)
MISSPELLINGS: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("field", "{ viewr { __typename } }", None, "viewer"),
    ("argument", "{ %s }" % GUARDIANS % "stat: INVITE", None, "state"),
    ("enum value in a literal", "{ %s }" % GUARDIANS % "state: INVIT", None, "INVITE"),
    (
        "enum value in a variable",
        "query($s: OnlineAccountState) { %s }" % GUARDIANS % "state: $s",
        {"s": "INVIT"},
        "INVITE",
    ),
    (
        "input field in a literal",
        "mutation { rePin(input: {adultIds: [], sen: true}) { __typename } }",
        None,
        "send",
    ),
    (
        "input field in a variable",
        "mutation($i: RePinInput!) { rePin(input: $i) { __typename } }",
        {"i": {"adultIds": [], "sen": True}},
        "send",
    ),
    ("type in a fragment condition", "{ ...F } fragment F on Quer { __typename }", None, "Query"),
    (
        "type in a variable definition",
        "query($d: Dat) { viewer { __typename } }",
        {"d": "2024-01-01"},
        "Date",
    ),
    (
        "type in an inline fragment",
        "{ viewer { ... on StaffViewr { __typename } } }",
        None,
        "StaffViewer",
    ),
]


@pytest.fixture(scope="module")
def debug_gql(settings: Settings) -> GraphQLClient:
    # Validation does not read the time; any instant will do.
    return GraphQLClient(build_schema(Limits(debug=True)), settings, FrozenClock())


@pytest.mark.parametrize(
    ("query", "variables", "hint"),
    [pytest.param(q, v, h, id=kind) for kind, q, v, h in MISSPELLINGS],
)
async def test_no_name_is_suggested_with_debug_off(
    gql: GraphQLClient, query: str, variables: dict[str, Any] | None, hint: str
) -> None:
    result = await gql.execute(query, variables)
    assert result.data is None
    assert result.codes
    assert set(result.codes) == {"BAD_USER_INPUT"}
    for error in result.errors:
        assert "Did you mean" not in error["message"]
        assert f"'{hint}'" not in error["message"]


@pytest.mark.parametrize(
    ("query", "variables", "hint"),
    [pytest.param(q, v, h, id=kind) for kind, q, v, h in MISSPELLINGS],
)
async def test_debug_still_suggests_names_to_developers(
    debug_gql: GraphQLClient, query: str, variables: dict[str, Any] | None, hint: str
) -> None:
    result = await debug_gql.execute(query, variables)
    assert result.data is None
    assert any(
        "Did you mean" in e["message"] and f"'{hint}'" in e["message"] for e in result.errors
    ), result.errors
