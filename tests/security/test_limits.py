"""Document limits and bad input: client errors, never a 500, nothing stored."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from models.attendance import AttendanceEvent
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.world import World


async def _post(
    http: httpx.AsyncClient, query: str, variables: Any = None, **headers: str
) -> httpx.Response:
    return await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


async def test_depth_over_the_limit_is_refused(gql: GraphQLClient) -> None:
    nested = "query { " + "sites { " * 11 + "id" + " }" * 11 + " }"
    result = await gql.execute(nested)
    assert "BAD_USER_INPUT" in result.codes
    assert result.data is None


async def test_aliases_counted_through_fragments(gql: GraphQLClient) -> None:
    fragment = (
        "fragment F on Query { "
        + " ".join(f"a{i}: viewer {{ __typename }}" for i in range(4))
        + " }"
    )
    query = "query { " + " ".join("...F" for _ in range(5)) + " } " + fragment
    result = await gql.execute(query)
    assert result.data is None
    assert any("aliases" in e["message"].lower() for e in result.errors)


async def test_token_flood_is_refused(gql: GraphQLClient) -> None:
    query = "{ " + " ".join("__typename" for _ in range(2100)) + " }"
    result = await gql.execute(query)
    assert result.data is None
    assert result.codes == ["BAD_USER_INPUT"]


async def test_more_than_ten_root_fields_are_refused(gql: GraphQLClient) -> None:
    query = "{ " + " ".join(f"v{i}: viewer {{ __typename }}" for i in range(11)) + " }"
    result = await gql.execute(query)
    assert result.data is None
    assert any("root fields" in e["message"] for e in result.errors)


async def test_sign_in_cannot_ride_along_with_other_fields(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    kid, room = str(world.kids[0].id), str(world.room.id)
    query = (
        'mutation { a: signIn(input: {childIds: ["%s"], classroomId: "%s", operatorPin: "111111"}) '
        '{ errors { code } } b: signIn(input: {childIds: ["%s"], classroomId: "%s", '
        'operatorPin: "222222"}) { errors { code } } }'
    ) % (kid, room, kid, room)
    result = await gql.execute(query, token=token)
    assert result.data is None
    assert result.codes == ["BAD_USER_INPUT"]
    assert await AttendanceEvent.all().count() == 0


async def test_nul_characters_are_bad_input(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.admin)
    mutation = "mutation($i: UpdateChildInput!) { updateChild(input: $i) { errors { code } } }"
    by_variable = await gql.execute(
        mutation, {"i": {"childId": str(world.kids[0].id), "firstName": "A\u0000B"}}, token=token
    )
    by_literal = await gql.execute(
        'mutation { updateChild(input: {childId: "%s", firstName: "A\\u0000B"}) '
        "{ errors { code } } }" % world.kids[0].id,
        token=token,
    )
    assert by_variable.codes == by_literal.codes == ["BAD_USER_INPUT"]


async def test_impossible_dates_are_bad_input(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    result = await gql.execute(
        'query($d: Date) { classroom(id: "%s") { roster(date: $d) { status } } }' % world.room.id,
        {"d": "2024-02-30"},
        token=token,
    )
    assert result.codes == ["BAD_USER_INPUT"]


async def test_huge_integers_and_nan_in_json_are_a_400(http: httpx.AsyncClient) -> None:
    huge = '{"query": "{ viewer { __typename } }", "variables": {"n": ' + "9" * 5000 + "}}"
    response = await http.post(
        "/graphql", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    nan = '{"query": "{ viewer { __typename } }", "variables": {"n": NaN}}'
    response = await http.post(
        "/graphql", content=nan, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_oversized_bodies_are_refused(http: httpx.AsyncClient) -> None:
    body = json.dumps({"query": "{ viewer { __typename } }", "pad": "x" * (1024 * 1024)})
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_mutations_over_get_and_non_json_posts_are_not_executed(
    http: httpx.AsyncClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    auth = {"authorization": f"Bearer {token}"}
    mutation = (
        'mutation { markAbsent(input: {childId: "%s", date: "2030-01-01"}) { errors { code } } }'
        % world.kids[0].id
    )
    by_get = await http.get("/graphql", params={"query": mutation}, headers=auth)
    assert by_get.status_code in (400, 405)
    as_text = await http.post(
        "/graphql",
        content=json.dumps({"query": mutation}),
        headers={**auth, "content-type": "text/plain"},
    )
    assert as_text.status_code == 400
    as_form = await http.post("/graphql", data={"query": mutation}, headers=auth)
    assert as_form.status_code == 400
    assert await AttendanceEvent.all().count() == 0


async def test_introspection_and_field_suggestions_are_off(http: httpx.AsyncClient) -> None:
    response = await _post(http, "{ __schema { types { name } } }")
    assert response.json()["data"] is None
    misspelled = await _post(http, "{ viewr { __typename } }")
    message = misspelled.json()["errors"][0]["message"]
    assert "Did you mean" not in message


async def test_graphiql_is_not_served_outside_debug(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code != 200 or "graphiql" not in response.text.lower()


async def test_health_check_answers_once_the_database_is_reachable(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_bearer_token_over_http(http: httpx.AsyncClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    response = await _post(http, "{ sites { name } }", authorization=f"Bearer {token}")
    assert response.json() == {"data": {"sites": [{"name": "Main Street"}]}}
    bad = await _post(http, "{ sites { name } }", authorization="Bearer not-a-real-token")
    assert bad.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_array_batches_are_not_executed(http: httpx.AsyncClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    one = {"query": "{ sites { name } }"}
    response = await http.post(
        "/graphql", json=[one, one], headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400


async def test_unexpected_errors_are_masked_and_coded(
    http: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services import org

    def explode(principal: object) -> object:
        raise RuntimeError("connection string postgres://secret@db leaked")

    monkeypatch.setattr(org, "readable_sites", explode)
    token = await make.token_for(world.teacher)
    response = await _post(http, "{ sites { name } }", authorization=f"Bearer {token}")
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret" not in response.text
