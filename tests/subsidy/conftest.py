"""One fake state system per test module, its records emptied before each test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from tests.subsidy.state_server import StateSystemServer, state_system

PROVIDER = "PRV-1001"
PASSWORD = "state-issued-integration-password"


@pytest.fixture(scope="module")
async def state_server() -> AsyncIterator[StateSystemServer]:
    async with state_system() as running:
        yield running


@pytest.fixture
def state(state_server: StateSystemServer) -> StateSystemServer:
    """The running server with only one provider and no records."""
    for records in (
        state_server.providers,
        state_server.children,
        state_server.days,
        state_server.seen,
        state_server.closed,
    ):
        records.clear()
    state_server.script.clear()
    state_server.requests.clear()
    state_server.providers[PROVIDER] = PASSWORD
    return state_server


BORN = date(2021, 5, 17)
