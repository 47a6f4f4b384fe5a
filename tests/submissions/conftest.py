"""Fixtures of the submission tests: the test clock's instant and the families of the world."""

from __future__ import annotations

import pytest

from tests.clock import FrozenClock
from tests.submissions.helpers import START, Families, families
from tests.world import World


@pytest.fixture(autouse=True)
def clock(clock: FrozenClock) -> FrozenClock:
    """A Monday morning in Chicago, after the period the documents cover."""
    clock.set(START)
    return clock


@pytest.fixture
async def homes(world: World) -> Families:
    return await families(world)
