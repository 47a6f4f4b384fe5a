"""A document that passed validation is not validated again; a refused one always is, and
what it may do still depends on who sends it (permissions run at execution)."""

from __future__ import annotations

from typing import Any

import pytest

from schema import validation
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.world import World


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The documents graphql-core's validate was asked to walk, in order."""
    walked: list[object] = []
    real = validation.validate

    def counting(schema: Any, document: Any, *args: Any, **kwargs: Any) -> Any:
        walked.append(document)
        return real(schema, document, *args, **kwargs)

    monkeypatch.setattr(validation, "validate", counting)
    return walked


async def test_a_valid_document_is_validated_once_then_remembered(
    gql: GraphQLClient, world: World, validations: list[object]
) -> None:
    # A text no other test sends, so the session-wide schema has not seen it.
    document = "query RememberedOnce { sites { name } }"
    teacher = await make.token_for(world.teacher)
    first = await gql.execute(document, token=teacher)
    second = await gql.execute(document, token=teacher)
    assert first.errors == second.errors == []
    assert first.data == second.data
    assert len(validations) == 1
    # Remembered as valid, not as allowed: the same text from nobody is still refused.
    anonymous = await gql.execute(document)
    assert anonymous.codes == ["UNAUTHENTICATED"]
    assert len(validations) == 1


async def test_a_refused_document_is_checked_every_time(
    gql: GraphQLClient, world: World, validations: list[object]
) -> None:
    document = "query RefusedEveryTime { sites { nam } }"
    teacher = await make.token_for(world.teacher)
    for _ in range(2):
        refused = await gql.execute(document, token=teacher)
        assert refused.codes == ["BAD_USER_INPUT"]
    assert len(validations) == 2
