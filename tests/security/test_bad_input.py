"""Hostile input answers a typed client error, never a 500 or INTERNAL_SERVER_ERROR."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from models.people import Child
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.world import World
from tests.wsclient import WSClient

UPDATE_CHILD = "mutation($i: UpdateChildInput!) { updateChild(input: $i) { errors { code } } }"


async def _post_raw(
    http: httpx.AsyncClient, body: str | bytes, token: str | None = None
) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await http.post("/graphql", content=body, headers=headers)


def _body(query: str, variables: dict[str, Any]) -> str:
    # json.dumps writes a lone surrogate as its \\ud800 escape, as a hostile client would.
    return json.dumps({"query": query, "variables": variables})


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- JSON depth ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 100_000])
async def test_json_nested_past_the_limit_is_a_400_that_says_so(
    http: httpx.AsyncClient, depth: int
) -> None:
    body = '{"query": "{ viewer { __typename } }", "variables": {"a": %s}}' % _nested(depth)
    response = await _post_raw(http, body)
    assert response.status_code == 400
    assert "nested deeper than 64 levels" in response.text
    assert "recursion" not in response.text


async def test_json_at_the_limit_is_parsed(http: httpx.AsyncClient) -> None:
    # The body object is level 1 and variables level 2: 62 more brackets make 64.
    body = '{"query": "{ viewer { __typename } }", "variables": {"a": %s}}' % _nested(62)
    response = await _post_raw(http, body)
    assert response.status_code == 200
    # Brackets inside strings nest nothing.
    body = json.dumps({"query": "{ viewer { __typename } }", "variables": {"s": "[{" * 500}})
    assert (await _post_raw(http, body)).status_code == 200


async def test_a_deeply_nested_socket_message_closes_the_socket(
    live_server: str, world: World
) -> None:
    client = await WSClient.connect(live_server, await make.token_for(world.teacher))
    async with client.socket:
        payload = '{"type": "subscribe", "id": "1", "payload": {"query": %s}}' % _nested(2000)
        await client.socket.send(payload)
        with pytest.raises(ConnectionClosed) as closed:
            await client.socket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400


# --- text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("A\ud800B", "not valid Unicode"),
        ("\udfffA", "not valid Unicode"),
        ("A\x01B", "control characters"),
        ("A\x1b[31mB", "control characters"),
        ("A\x00B", "NUL"),
    ],
)
async def test_lone_surrogates_and_control_characters_are_bad_input(
    http: httpx.AsyncClient, world: World, text: str, words: str
) -> None:
    token = await make.token_for(world.admin)
    kid = world.kids[0]
    response = await _post_raw(
        http, _body(UPDATE_CHILD, {"i": {"childId": str(kid.id), "firstName": text}}), token
    )
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
    assert words in errors[0]["message"]
    assert (await Child.get(id=kid.id)).first_name == kid.first_name


async def test_control_characters_in_literals_are_bad_input(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.admin)
    result = await gql.execute(
        'mutation { updateChild(input: {childId: "%s", firstName: "A\\u0007B"}) '
        "{ errors { code } } }" % world.kids[0].id,
        token=token,
    )
    assert result.codes == ["BAD_USER_INPUT"]


async def test_tabs_and_line_breaks_are_ordinary_text(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.admin)
    result = await gql.execute(
        UPDATE_CHILD,
        {"i": {"childId": str(world.kids[0].id), "lastName": "A\tB\r\nC"}},
        token=token,
    )
    assert result.errors == []
    assert result.data == {"updateChild": {"errors": []}}


async def test_a_lone_surrogate_in_a_password_is_bad_input(http: httpx.AsyncClient) -> None:
    login = "mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token errors { code } } }"
    response = await _post_raw(
        http, _body(login, {"i": {"email": "a\ud800@example.com", "password": "pw\udc00"}})
    )
    assert response.status_code == 200
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_USER_INPUT"]


# --- dates and times -----------------------------------------------------------------------

SIGN_IN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }"


@pytest.mark.parametrize(
    "at",
    [
        "0001-01-01T00:00:00+05:00",
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00-23:59",
        "9999-12-31T23:59:59-05:00",
        "9999-12-31T23:59:59+14:00",
        "9999-12-31T23:59:59.999999Z",
    ],
)
async def test_times_at_the_edges_of_the_calendar_are_bad_input(
    gql: GraphQLClient, world: World, at: str
) -> None:
    token = await make.token_for(world.admin)
    variables = {"i": {"childIds": [str(world.kids[0].id)], "classroomId": str(world.room.id)}}
    variables["i"]["at"] = at
    result = await gql.execute(SIGN_IN, variables, token=token)
    assert result.codes == ["BAD_USER_INPUT"]
    assert "between" in result.errors[0]["message"]


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
async def test_dates_outside_the_supported_range_are_bad_input(
    gql: GraphQLClient, world: World, day: str
) -> None:
    token = await make.token_for(world.admin)
    absent = await gql.execute(
        'mutation($d: Date!) { markAbsent(input: {childId: "%s", date: $d}) { errors { code } } }'
        % world.kids[0].id,
        {"d": day},
        token=token,
    )
    listed = await gql.execute(
        'query { children(classroomId: "%s", date: "%s") { id } }' % (world.room.id, day),
        token=token,
    )
    assert absent.codes == listed.codes == ["BAD_USER_INPUT"]


async def test_dates_inside_the_range_still_work(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.admin)
    result = await gql.execute(
        'query { children(classroomId: "%s", date: "2999-12-31") { id } }' % world.room.id,
        token=token,
    )
    assert result.errors == []


# --- operations ----------------------------------------------------------------------------


async def test_a_subscription_posted_over_http_is_told_to_use_a_socket(
    http: httpx.AsyncClient, world: World
) -> None:
    token = await make.token_for(world.admin)
    query = 'subscription { liveCounts(siteId: "%s") { __typename } }' % world.site.id
    response = await _post_raw(http, json.dumps({"query": query}), token)
    assert response.status_code < 500
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
    assert "WebSocket" in errors[0]["message"]
