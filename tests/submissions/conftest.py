"""Fixtures of the submission tests: the fake clock and the families of the world."""

from __future__ import annotations

import pytest

from resolvers.context import Context
from tests.submissions.helpers import Clock, Families, families
from tests.world import World


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(Context, "now", lambda self: fake.now)
    return fake


@pytest.fixture
async def homes(world: World) -> Families:
    return await families(world)
