"""A paired kiosk hears its own pad's lock state over its live socket, and only its own."""

from __future__ import annotations

import pytest

from realtime import channels
from tests import factories as make
from tests.conftest import LiveServer
from tests.realtime.test_subscriptions import graphql
from tests.world import TEACHER_PIN, World
from tests.wsclient import SubscriptionError, WSClient

PAD_STATE = "subscription { padState { locked reason until } }"
IDENTIFY = "mutation($i: KioskPinInput!) { kioskIdentify(input: $i) { errors { code } } }"
UNLOCK = "mutation($i: KioskPinInput!) { kioskUnlock(input: $i) { errors { code } } }"
WRONG_PINS = ("100001", "100002", "100003", "100004", "100005")


async def test_a_kiosk_hears_its_pad_lock_and_unlock_and_nothing_of_another_site(
    live: LiveServer, world: World
) -> None:
    _, front = await make.kiosk(world.site, paired_by=world.admin)
    _, elsewhere = await make.kiosk(world.other_site, paired_by=world.admin)
    pad = await WSClient.connect(live.ws_url, front)
    mine = await pad.subscribe(PAD_STATE, {})
    other = await WSClient.connect(live.ws_url, elsewhere)
    theirs = await other.subscribe(PAD_STATE, {})
    assert (await pad.next(mine))["padState"] == {"locked": False, "reason": None, "until": None}
    assert (await other.next(theirs))["padState"]["locked"] is False
    await live.subscribed(channels.site_alerts(world.site.id))
    await live.subscribed(channels.site_alerts(world.other_site.id))

    for pin in WRONG_PINS:
        await graphql(live, front, IDENTIFY, {"i": {"pin": pin}})
    locked = (await pad.next(mine))["padState"]
    assert (locked["locked"], locked["reason"]) == (True, "TOO_MANY_FAILURES")
    assert locked["until"] is not None
    result = await graphql(live, front, UNLOCK, {"i": {"pin": TEACHER_PIN}})
    assert result["data"]["kioskUnlock"]["errors"] == []
    assert (await pad.next(mine))["padState"]["locked"] is False

    # The other site's pad heard none of it: its next state is its own lock.
    for pin in WRONG_PINS:
        await graphql(live, elsewhere, IDENTIFY, {"i": {"pin": pin}})
    assert (await other.next(theirs))["padState"]["reason"] == "TOO_MANY_FAILURES"
    await pad.close()
    await other.close()


async def test_only_a_kiosk_may_listen_to_a_pad_state(live: LiveServer, world: World) -> None:
    for user in (world.admin, world.viewer):
        client = await WSClient.connect(live.ws_url, await make.token_for(user))
        sub = await client.subscribe(PAD_STATE, {})
        with pytest.raises(SubscriptionError) as refused:
            await client.next(sub)
        assert refused.value.codes == ["FORBIDDEN"]
        await client.close()
