"""The SQL statements of one sign-in over HTTP with a token already in use: pinned, and
the same for one child or several."""

from __future__ import annotations

from typing import Any

import httpx

from tests import factories as make
from tests.querycount import count_queries
from tests.world import World

SIGN_IN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }"
SIGN_OUT = "mutation($i: SignOutInput!) { signOut(input: $i) { errors { code } } }"
# The classroom, the enrollments, the open sessions, three inserts, then the published
# row reads the child's day (sessions, events; no signature can exist on a first entry).
PINNED = 8


async def statements(http: httpx.AsyncClient, token: str, query: str, variables: Any) -> int:
    with count_queries() as sent:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    assert next(iter(body["data"].values()))["errors"] == []
    return len(sent)


async def test_a_sign_in_sends_a_pinned_number_of_statements(
    http: httpx.AsyncClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    assert (
        "errors"
        not in (
            await http.post(
                "/graphql",
                json={"query": "{ sites { name } }"},
                headers={"authorization": f"Bearer {token}"},
            )
        ).json()
    )
    room = str(world.room.id)
    one = {"i": {"childIds": [str(world.kids[0].id)], "classroomId": room}}
    two = {"i": {"childIds": [str(k.id) for k in world.kids[1:3]], "classroomId": room}}
    assert await statements(http, token, SIGN_IN, one) == PINNED
    assert await statements(http, token, SIGN_IN, two) == PINNED
    # Signing out reads the signatures of the day's earlier events too.
    assert await statements(http, token, SIGN_OUT, one) <= PINNED + 1
