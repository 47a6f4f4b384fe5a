"""A token's principal is read once and reused briefly; an announced access change ends
that at once (server/session_cache.py)."""

from __future__ import annotations

from typing import Any

import httpx

from realtime import channels
from realtime.bus import EventBus
from realtime.events import AccessChanged
from server.session_cache import SessionCache
from tests import factories as make
from tests.clock import FrozenClock
from tests.querycount import count_queries
from tests.world import World

SITES = "{ sites { name } }"


async def post(http: httpx.AsyncClient, token: str, query: str) -> Any:
    response = await http.post(
        "/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"}
    )
    return response.json()


async def test_a_token_is_read_once_then_reused(http: httpx.AsyncClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    first = await post(http, token, SITES)
    with count_queries() as statements:
        again = await post(http, token, SITES)
    assert again == first
    assert "errors" not in again
    assert not [s for s in statements if "auth_session" in s or "staff_site_access" in s]


async def test_logout_ends_the_cached_token_at_once(http: httpx.AsyncClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    assert "errors" not in await post(http, token, SITES)
    assert (await post(http, token, "mutation { logout { ok } }"))["data"]["logout"]["ok"]
    after = await post(http, token, SITES)
    assert after["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_announced_access_change_drops_every_session_of_the_principal(
    world: World, clock: FrozenClock
) -> None:
    moments = [0.0]
    cache = SessionCache(1.0, monotonic=lambda: moments[0])
    bus = EventBus(None)
    bus.on_publish.append(cache.announced)
    tokens = [await make.token_for(world.teacher) for _ in range(2)]
    other = await make.token_for(world.viewer)
    for token in [*tokens, other]:
        assert await cache.resolve(token, clock.now(), "") is not None
    # Announced: gone at once, for every session of that principal and no one else.
    world.teacher.is_active = False
    await world.teacher.save()
    event = AccessChanged(principal_id=str(world.teacher.id), session_id=None)
    await bus.publish([(channels.access(world.teacher.id), event)])
    assert [await cache.resolve(t, clock.now(), "") for t in tokens] == [None, None]
    # Deactivated without an announcement: the cached principal lives out its second.
    world.viewer.is_active = False
    await world.viewer.save()
    assert await cache.resolve(other, clock.now(), "") is not None
    moments[0] = 1.0
    assert await cache.resolve(other, clock.now(), "") is None


async def test_a_new_site_is_reachable_at_once_by_its_admin(
    http: httpx.AsyncClient, world: World
) -> None:
    token = await make.token_for(world.admin)
    assert "errors" not in await post(http, token, SITES)  # the principal is cached now
    created = await post(
        http,
        token,
        'mutation { createSite(input: {name: "Elm Street", timezone: "America/Chicago"}) '
        "{ site { id } errors { code } } }",
    )
    site_id = created["data"]["createSite"]["site"]["id"]
    staff = await post(
        http,
        token,
        'mutation { createStaff(input: {firstName: "Tess", lastName: "Teacher", '
        f'email: "tess@example.test", roleId: "{world.teacher.role_id}", siteIds: ["{site_id}"]}}) '
        "{ staff { firstName } errors { code } } }",
    )
    assert staff["data"]["createStaff"] == {"staff": {"firstName": "Tess"}, "errors": []}


async def test_a_clock_set_back_does_not_keep_an_entry_alive(
    world: World, clock: FrozenClock
) -> None:
    moments = [100.0]
    cache = SessionCache(1.0, monotonic=lambda: moments[0])
    token = await make.token_for(world.teacher)
    assert await cache.resolve(token, clock.now(), "") is not None
    world.teacher.is_active = False
    await world.teacher.save()
    moments[0] = 50.0
    assert await cache.resolve(token, clock.now(), "") is None


async def test_a_cached_principal_expires_with_its_session(
    world: World, clock: FrozenClock
) -> None:
    from datetime import timedelta

    cache = SessionCache(1.0, monotonic=lambda: 0.0)
    token = await make.token_for(world.teacher, timedelta(minutes=5))
    assert await cache.resolve(token, clock.now(), "") is not None
    clock.advance(minutes=5)
    assert await cache.resolve(token, clock.now(), "") is None
