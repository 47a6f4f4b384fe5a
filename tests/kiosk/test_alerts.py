"""Staff hear over their live socket when a kiosk of their site locks."""

from __future__ import annotations

import pytest

from realtime import channels
from tests import factories as make
from tests.conftest import LiveServer
from tests.realtime.test_subscriptions import graphql
from tests.world import TEACHER_PIN, World
from tests.wsclient import SubscriptionError, WSClient

ALERTS = """
subscription($site: ID!) {
  kioskAlerts(siteId: $site) { kioskId kioskName reason until }
}
"""
IDENTIFY = "mutation($i: KioskPinInput!) { kioskIdentify(input: $i) { errors { code } } }"
UNLOCK = "mutation($i: KioskPinInput!) { kioskUnlock(input: $i) { errors { code } } }"


async def test_a_locked_pad_alerts_the_sites_staff_and_so_does_its_unlock(
    live: LiveServer, world: World
) -> None:
    kiosk, token = await make.kiosk(world.site, paired_by=world.admin, name="Front door")
    viewer = await WSClient.connect(live.ws_url, await make.token_for(world.viewer))
    sub = await viewer.subscribe(ALERTS, {"site": str(world.site.id)})
    await live.subscribed(channels.site_alerts(world.site.id))

    for pin in ("100001", "100002", "100003", "100004", "100005"):
        await graphql(live, token, IDENTIFY, {"i": {"pin": pin}})
    locked = (await viewer.next(sub))["kioskAlerts"]
    assert locked["kioskId"] == str(kiosk.id)
    assert locked["kioskName"] == "Front door"
    assert locked["reason"] == "PAD_LOCKED"
    assert locked["until"] is not None

    result = await graphql(live, token, UNLOCK, {"i": {"pin": TEACHER_PIN}})
    assert result["data"]["kioskUnlock"]["errors"] == []
    unlocked = (await viewer.next(sub))["kioskAlerts"]
    assert unlocked["reason"] == "UNLOCKED"
    await viewer.close()


async def test_alerts_are_for_the_staff_of_that_site_only(live: LiveServer, world: World) -> None:
    _, kiosk_token = await make.kiosk(world.site, paired_by=world.admin)
    cases = [
        (await make.token_for(world.other_site_teacher), world.site.id, "NOT_FOUND"),
        (await make.token_for(world.viewer), world.foreign_site.id, "NOT_FOUND"),
        (await make.token_for(world.students_viewer), world.site.id, "FORBIDDEN"),
        (kiosk_token, world.site.id, "FORBIDDEN"),
    ]
    for token, site_id, code in cases:
        client = await WSClient.connect(live.ws_url, token)
        sub = await client.subscribe(ALERTS, {"site": str(site_id)})
        with pytest.raises(SubscriptionError) as refused:
            await client.next(sub)
        assert refused.value.codes == [code]
        await client.close()
