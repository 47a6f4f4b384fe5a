"""Generated operations on every root field: no 5xx, no internal error, every error coded.

Operations come from ``schema.graphql``: hypothesis-graphql writes valid and invalid
literals; ``Hostile`` sends JSON variables with wrong types, nulls, huge and odd strings,
extreme numbers and dates at the calendar's edges; ``one_odd_leaf`` sends plain arguments
with one odd value at a time, so that it reaches the service rather than losing to a
validation error on a neighbouring field. Each goes through the real ASGI app as
an anonymous caller and as an agency admin (and as a kiosk, for the kiosk's fields).

Hypothesis draws the examples first (derandomized, so every run sends the same ones) and
the test then sends them on the session's event loop; the database is not reset between
examples, so mutations change the world as the run goes on, which the assertions allow.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode

from tests import factories as make
from tests.security.generated import (
    Hostile,
    Operation,
    as_literals,
    one_odd_leaf,
    root_fields,
    with_variables,
)
from tests.world import World

TYPED_EXAMPLES = 12
UNTYPED_EXAMPLES = 3
LITERAL_EXAMPLES = 3


def _draw(strategy: st.SearchStrategy[Operation], count: int) -> list[Operation]:
    drawn: list[Operation] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(operation: Operation) -> None:
        drawn.append(operation)

    collect()
    return drawn


def _operations(ids: dict[str, list[str]]) -> list[Operation]:
    typed, untyped = Hostile(ids, typed=True), Hostile(ids, typed=False)
    operations: list[Operation] = []
    for kind, name, takes_arguments in root_fields():
        operations += one_odd_leaf(kind, name, typed)
        operations += _draw(with_variables(kind, name, typed), TYPED_EXAMPLES)
        operations += _draw(as_literals(kind, name, typed, Mode.POSITIVE), LITERAL_EXAMPLES)
        if takes_arguments:  # Without arguments, there is nothing to get wrong.
            operations += _draw(with_variables(kind, name, untyped), UNTYPED_EXAMPLES)
            operations += _draw(as_literals(kind, name, typed, Mode.NEGATIVE), LITERAL_EXAMPLES)
    return operations


def _faults(response: httpx.Response) -> list[str]:
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}: {response.text[:300]}"]
    if not response.headers.get("content-type", "").startswith("application/json"):
        # strawberry's own 400s (unparsable body) are plain text.
        return [] if response.status_code == 400 else [f"unexpected {response.text[:200]}"]
    body: dict[str, Any] = response.json()
    faults = []
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code is None or code == "INTERNAL_SERVER_ERROR":
            faults.append(f"{code}: {error.get('message')} at {error.get('path')}")
    return faults


async def _ids(world: World) -> dict[str, list[str]]:
    family = await make.family(world.agency)
    adult, _ = await make.adult_with_pin(family)
    kiosk, _ = await make.kiosk(world.site, paired_by=world.admin)
    role = await make.role(world.agency)
    kinds: dict[str, list[Any]] = {
        "child": [*world.kids, world.foreign_kid],
        "classroom": [world.room, world.other_room, world.foreign_room],
        "site": [world.site, world.other_site, world.foreign_site],
        "staff": [world.teacher, world.viewer],
        "role": [role],
        "adult": [adult],
        "kiosk": [kiosk],
        "agency": [world.agency],
    }
    return {kind: [str(o.id) for o in objects] for kind, objects in kinds.items()}


async def test_no_input_reaches_an_internal_error(http: httpx.AsyncClient, world: World) -> None:
    operations = _operations(await _ids(world))
    kiosk_token = (await make.kiosk(world.site, paired_by=world.admin))[1]
    found: list[str] = []
    for operation in operations:
        # A fresh admin token each time: logout and role changes may end the last one.
        callers = {"anonymous": None, "admin": await make.token_for(world.admin)}
        if operation.field.startswith("kiosk"):
            callers["kiosk"] = kiosk_token
        payload = json.dumps({"query": operation.query, "variables": operation.variables})
        for caller, token in callers.items():
            headers = {"content-type": "application/json"}
            if token:
                headers["authorization"] = f"Bearer {token}"
            response = await http.post("/graphql", content=payload, headers=headers)
            found += [
                f"{operation.field} as {caller}: {fault}\n  {payload[:600]}"
                for fault in _faults(response)
            ]
    assert found == [], f"{len(found)} faults:\n" + "\n".join(found[:30])
