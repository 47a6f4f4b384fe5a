"""A 1,000-row roster imports in one request: a bounded number of statements (bulk
lookups and inserts, never one query per row) and a body under the request limit."""

from __future__ import annotations

import json

from models.people import Child, FamilyAdult
from models.pins import PinCredential
from server.settings import Settings
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.people.roster_helpers import IMPORT, csv_text, many_rows, variables
from tests.querycount import count_queries
from tests.sites.helpers import payload
from tests.world import World

ROWS = 1000


async def test_a_thousand_rows_import_in_one_request_with_few_statements(
    gql: GraphQLClient, world: World, settings: Settings
) -> None:
    text = csv_text(many_rows(ROWS))
    body = json.dumps({"query": IMPORT, "variables": variables(world.site.id, text)})
    assert len(body.encode()) < settings.max_body_bytes
    token = await make.token_for(world.admin)
    with count_queries() as statements:
        found = payload(
            await gql.execute(IMPORT, variables(world.site.id, text), token=token), "importRoster"
        )
    assert found["errors"] == []
    counts = found["counts"]
    assert counts["childrenCreated"] == ROWS
    assert counts["familiesCreated"] == ROWS // 2
    assert counts["adultsCreated"] == 3 * ROWS // 2
    assert counts["enrollmentsCreated"] == ROWS
    # Not one per row: a few lookups per 500 values and one insert per kind of record.
    assert len(statements) < 40, statements[:50]
    assert await Child.filter(state_subsidy_id__startswith="SUB-").count() == ROWS
    adults = FamilyAdult.filter(family__name__startswith="Family")
    assert (
        await PinCredential.filter(adult_id__in=await adults.values_list("id", flat=True)).count()
        == 3 * ROWS // 2
    )

    # The same file again: everything matched, still a bounded number of statements.
    with count_queries() as statements:
        again = payload(
            await gql.execute(IMPORT, variables(world.site.id, text), token=token), "importRoster"
        )
    assert again["counts"]["childrenMatched"] == ROWS
    assert again["counts"]["adultsMatched"] == 3 * ROWS // 2
    assert again["counts"]["enrollmentsMatched"] == ROWS
    assert len(statements) < 40
