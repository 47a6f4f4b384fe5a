"""A tablet paired in the browser signs two children in by PIN, and the director's
dashboard, open in another browser, shows it live over the WebSocket."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from playwright.async_api import Browser, Page

from models.org import ModuleAccess
from models.people import Family
from realtime import channels
from server.settings import Settings
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import LiveServer
from tests.graphql import GraphQLClient
from tests.subsidy.helpers import connected_without_state
from tests.web.conftest import Tab, browser_pass, free_port, open_tab, serving_on, shoot
from tests.world import TEACHER_PIN, World

DIRECTOR = "director@example.test"
PASSWORD = "a long director password"
pytestmark = browser_pass


async def staff_login(page: Page) -> None:
    await page.get_by_label("Email").fill(DIRECTOR)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def type_pin(page: Page, pin: str) -> None:
    for digit in pin:
        await page.locator("#keys").get_by_role("button", name=digit, exact=True).click()
    assert await page.locator("#pin-display").text_content() == "•" * len(pin)
    await page.locator("#keys").get_by_role("button", name="OK").click()


async def test_kiosk_pin_sign_in_of_two_children_shows_live_on_the_dashboard(
    browser: Browser, live: LiveServer, world: World
) -> None:
    await make.staff(world.agency, admin=True, email=DIRECTOR, password=PASSWORD)
    ava = world.kids[0]
    family = await Family.get(id=ava.family_id)
    dora = await make.child(world.room, of=family, first_name="Dora", last_name="Lopez")
    _, pin = await make.adult_with_pin(family, pin="724681")

    async with open_tab(browser, live) as board, open_tab(browser, live) as kiosk:
        await board.page.goto(board.url("/dashboard"))
        await staff_login(board.page)
        await board.page.locator("#status.live").wait_for()
        await board.page.locator(f"#child-{ava.id}[data-status=NOT_ARRIVED]").wait_for()
        await live.subscribed(channels.classroom_roster(world.room.id))

        page = kiosk.page
        await page.goto(kiosk.url("/kiosk"))
        await staff_login(page)
        await page.get_by_label("Site").select_option(label="Main Street")
        await page.get_by_label("Tablet name").fill("Front desk")
        await page.get_by_role("button", name="Pair").click()
        await live.subscribed(channels.site_alerts(world.site.id))  # the pad's live lock state
        await type_pin(page, pin)
        await page.get_by_role("button", name="Ava L. · Sign in").click()
        await page.get_by_role("button", name="Ava L. · Sign out").wait_for()
        await page.get_by_role("button", name="Dora L. · Sign in").click()
        await page.get_by_role("button", name="Dora L. · Sign out").wait_for()
        await shoot(page, "kiosk")

        for child in (ava, dora):
            await board.page.locator(f"#child-{child.id}[data-status=SIGNED_IN]").wait_for()
        signed_in = board.page.locator("#site-counts [data-count=signedIn] strong")
        await signed_in.filter(has_text="2").wait_for()
        assert await board.page.locator("#subsidy").is_hidden()  # not connected to the state
        await shoot(board.page, "dashboard", full_page=True)

        # Staff lock the pad; a staff PIN of the site unlocks it.
        await page.get_by_role("button", name="Lock the kiosk").click()
        await page.get_by_role("heading", name="This kiosk is locked").wait_for()
        await page.locator("#staff-pin").fill(TEACHER_PIN)
        await page.get_by_role("button", name="Unlock").click()
        await page.locator("#keys").wait_for()

        # The device token stays in the tablet's storage, never in its address.
        assert await page.evaluate("localStorage.getItem('playroll.kiosk')")
        assert "token" not in page.url
        for tab in (board, kiosk):
            assert tab.foreign_requests() == []
            assert tab.problems == []


async def test_the_dashboard_recovers_by_itself_after_a_server_restart(
    browser: Browser, settings: Settings, world: World, clock: FrozenClock, gql: GraphQLClient
) -> None:
    await make.staff(world.agency, admin=True, email=DIRECTOR, password=PASSWORD)
    ava, ben = world.kids[0], world.kids[1]
    teacher = await make.token_for(world.teacher)
    port = free_port()
    async with open_tab(browser, port) as board:
        async with serving_on(settings, clock, port):
            await board.page.goto(board.url("/dashboard"))
            await staff_login(board.page)
            await board.page.locator("#status.live").wait_for()
        await board.page.locator("#status.reconnecting").wait_for()
        # While the server is away: the page must catch up by refetching, not by events.
        signed = await gql.execute(SIGN_IN, sign_in(ava.id, world), token=teacher)
        assert signed.errors == []

        async with serving_on(settings, clock, port) as again:
            await board.page.locator("#status.live").wait_for()
            await board.page.locator(f"#child-{ava.id}[data-status=SIGNED_IN]").wait_for()
            # And live again: an entry made through the new server arrives by event.
            await again.subscribed(channels.classroom_roster(world.room.id))
            async with httpx.AsyncClient() as client:
                answer = await client.post(
                    again.http_url,
                    json={"query": SIGN_IN, "variables": sign_in(ben.id, world)},
                    headers={"authorization": f"Bearer {teacher}"},
                )
            assert answer.json()["data"]["signIn"]["errors"] == []
            await board.page.locator(f"#child-{ben.id}[data-status=SIGNED_IN]").wait_for()
        # Only the refused reconnection attempts while the server was away.
        assert all("WebSocket" in p for p in board.problems), board.problems


async def test_a_site_connected_to_the_state_shows_this_months_transfers(
    tab: Tab, gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    await connected_without_state(world, clock.now())
    # 21:00 on 30 November in Chicago, already December in UTC: the site's month shows.
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    teacher = await make.token_for(world.teacher)
    assert (
        await gql.execute(SIGN_IN, sign_in(world.kids[0].id, world), token=teacher)
    ).errors == []
    clock.set(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    page = tab.page
    await page.goto(tab.url("/dashboard"))
    viewer = await make.token_for(world.viewer)
    await page.evaluate("token => sessionStorage.setItem('playroll.staff', token)", viewer)
    await page.reload()
    panel = page.locator("#subsidy")
    await panel.wait_for()
    assert await page.locator("#subsidy-month").text_content() == "November 2026"
    # The child is matched to no state record yet: the day needs attention.
    counts = {
        key: await panel.locator(f"[data-count={key}] strong").text_content()
        for key in ("transferred", "outOfSync", "error")
    }
    assert counts == {"transferred": "0", "outOfSync": "0", "error": "1"}
    await shoot(page, "dashboard-subsidy")
    assert tab.problems == []


SIGN_IN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code field } } }"


def sign_in(child_id: object, world: World) -> dict[str, object]:
    return {
        "i": {
            "childIds": [str(child_id)],
            "classroomId": str(world.room.id),
            "operatorPin": TEACHER_PIN,
        }
    }


async def test_a_revoked_tablet_falls_back_to_pairing_and_forgets_its_token(
    tab: Tab, gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    tablet, device = await make.kiosk(world.site, paired_by=world.admin)
    page = tab.page
    await page.goto(tab.url("/kiosk"))
    await page.evaluate("token => localStorage.setItem('playroll.kiosk', token)", device)
    await page.reload()
    await page.locator("#keys").wait_for()

    revoke = "mutation($i: RevokeKioskInput!) { revokeKiosk(input: $i) { errors { code } } }"
    admin = await make.token_for(world.admin)
    result = await gql.execute(revoke, {"i": {"kioskId": str(tablet.id)}}, token=admin)
    assert result.errors == []
    # Revoked through another app instance (``gql``), as on another server: the page's
    # server hears no announcement, and its cached session lasts at most a second.
    clock.advance(seconds=1)
    await page.reload()
    await page.get_by_role("heading", name="Pair this tablet").wait_for()
    assert await page.evaluate("localStorage.getItem('playroll.kiosk')") is None


async def test_staff_without_attendance_view_are_told_so_not_left_reconnecting(
    tab: Tab, world: World
) -> None:
    students_only = await make.role(world.agency, students=ModuleAccess.VIEW)
    clerk = await make.staff(world.agency, role=students_only, sites=[world.site])
    page = tab.page
    await page.goto(tab.url("/dashboard"))
    token = await make.token_for(clerk)
    await page.evaluate("token => sessionStorage.setItem('playroll.staff', token)", token)
    await page.reload()
    await page.get_by_role("heading", name="Not allowed").wait_for()
    assert await page.locator("#board").is_hidden()
    assert not [url for url in tab.requests if url.startswith("ws://")]  # no socket opened
    await page.get_by_role("button", name="Sign in as someone else").click()
    await page.get_by_role("button", name="Sign in").wait_for()
    assert await page.evaluate("sessionStorage.getItem('playroll.staff')") is None
    assert tab.foreign_requests() == []
