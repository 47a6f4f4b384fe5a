"""A parent in a real browser: the submission link (verify, review, draw, sign) and the
invitation link to registration."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from playwright.async_api import Page

from models.family_accounts import FamilyAccount, GuardianLink
from models.org import Agency
from models.signatures import ParentSignature
from tests import factories as make
from tests.clock import FrozenClock
from tests.confirmations.helpers import scene, staff_day, unconfirmed
from tests.family.helpers import PASSWORD, account_for, household, invite, reset_code
from tests.family.helpers import sent_code as invitation_code
from tests.graphql import GraphQLClient
from tests.staff.helpers import SEND_INVITATION, links_sent
from tests.submissions.helpers import (
    START,
    attended,
    families,
    sent_code,
    sent_link,
    submit,
)
from tests.web.conftest import Tab, browser_pass, shoot
from tests.world import World

MARIA = "Maria.Lopez@Example.test"
pytestmark = browser_pass


async def draw(page: Page, selector: str) -> None:
    """Two strokes with the mouse, as a parent would with a finger."""
    await page.locator(selector).scroll_into_view_if_needed()
    box = await page.locator(selector).bounding_box()
    assert box is not None
    for y in (0.3, 0.6):
        await page.mouse.move(box["x"] + 30, box["y"] + box["height"] * y)
        await page.mouse.down()
        for step in range(1, 8):
            await page.mouse.move(
                box["x"] + 30 + step * 40, box["y"] + box["height"] * (y + 0.05 * (step % 2))
            )
        await page.mouse.up()


async def test_a_parent_verifies_draws_and_signs_a_submission_link(
    tab: Tab, gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    clock.set(START)
    homes = await families(world)
    await Agency.filter(id=world.agency.id).update(submission_requires_verification=True)
    await attended(world.kids[0], world.room, date(2026, 11, 3))
    await submit(gql, await make.token_for(world.teacher), world.site.id)
    link = urlsplit(await sent_link(MARIA))
    page = tab.page

    await page.goto(tab.url(f"{link.path}?{link.query}"))
    await page.get_by_role("heading", name="Confirm it is you").wait_for()
    assert "token" not in page.url
    await page.locator("#send-email").click()
    await page.locator("#verify-note").wait_for()
    await page.get_by_label("Code").fill(await sent_code(MARIA.lower()))
    await page.get_by_role("button", name="Check the code").click()
    await page.get_by_role("heading", name="Ava Lastname0").wait_for()
    # 8:00 to 16:30 as the site's clock (America/Chicago) showed them, not the browser's zone.
    row = page.locator("#review-children tr", has_text="2026-11-03").filter(has_text="Signed out")
    day = await row.inner_text()
    assert re.search(r"8:00\sAM\s+4:30\sPM", day), day
    await draw(page, "#signature")
    await page.get_by_label("I certify").check()
    await shoot(page, "submit-sign", full_page=True)
    await page.get_by_role("button", name="Sign and send").click()
    await page.get_by_role("heading", name="Thank you, it is signed").wait_for()

    signature = await ParentSignature.get(adult_id=homes.ava_guardian.id)
    assert signature.svg is not None
    assert signature.svg.count("<path ") == 2
    assert tab.foreign_requests() == []
    assert tab.problems == []

    # The same link again: the clear page for a used link, in Spanish this time.
    await page.goto(tab.url(f"{link.path}?{link.query}&lang=es"))
    await page.get_by_role("heading", name="Este enlace ya no funciona").wait_for()
    await shoot(page, "submit-used-es")


async def test_an_invitation_link_leads_to_a_family_account(
    tab: Tab, gql: GraphQLClient, world: World
) -> None:
    home = await household(world)
    await invite(gql, await make.token_for(world.admin), home.guardian_a.id)
    page = tab.page

    await page.goto(tab.url(f"/join?code={await invitation_code(home.guardian_a)}"))
    await page.get_by_role("heading", name="Join your program").wait_for()
    assert "code" not in page.url
    await page.get_by_label("Email or mobile phone").fill("maria@example.test")
    await page.get_by_label("Choose a password").fill("a long family password")
    await shoot(page, "join")
    await page.get_by_role("button", name="Create my account").click()
    await page.get_by_role("heading", name="You are all set").wait_for()

    assert await FamilyAccount.filter(login="maria@example.test").exists()
    assert tab.foreign_requests() == []
    assert tab.problems == []


async def test_a_parent_resets_their_password_with_a_code(tab: Tab, world: World) -> None:
    home = await household(world)
    await account_for(home.guardian_a, login="maria@example.test")
    page = tab.page

    await page.goto(tab.url("/reset-password?lang=es"))
    await page.get_by_label("Correo electrónico o teléfono móvil").fill("maria@example.test")
    await page.get_by_role("button", name="Enviarme una clave").click()
    await page.locator("#request-note").wait_for()
    await page.get_by_label("Clave", exact=True).fill(await reset_code("maria@example.test"))
    await page.get_by_label("Contraseña nueva").fill("another long password")
    await page.get_by_role("button", name="Guardar la contraseña").click()
    await page.get_by_text("Su contraseña cambió").wait_for()
    await shoot(page, "reset-es")
    assert tab.problems == []


async def test_a_parent_confirms_staff_entries_then_sees_the_day(
    tab: Tab, gql: GraphQLClient, world: World
) -> None:
    s = await scene(world)
    await staff_day(gql, s)
    link = await GuardianLink.get(adult_id=s.home.guardian_a.id).prefetch_related("account")
    page = tab.page

    await page.goto(tab.url("/confirm"))
    await page.get_by_label("Email or mobile phone").fill(link.account.login)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.locator("#entry-rows tr").nth(2).wait_for()
    await shoot(page, "confirm")
    await page.get_by_role("button", name="Confirm these entries").click()
    await page.get_by_text("Thank you, the entries are confirmed.").wait_for()
    assert await page.locator("#entry-rows tr").count() == 0
    assert await unconfirmed(gql, s.parent) == []

    # The same tab stays signed in for the family's daily view.
    await page.goto(tab.url("/family"))
    await page.get_by_role("heading", name="Ava Lastname0").wait_for()
    await shoot(page, "family", full_page=True)
    assert tab.foreign_requests() == []
    assert tab.problems == []


async def test_a_new_colleague_opens_the_set_password_link(
    tab: Tab, gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    await gql.execute(SEND_INVITATION, {"i": {"staffId": str(world.viewer.id)}}, token=admin)
    link = urlsplit((await links_sent(world.viewer.email))[-1])
    page = tab.page

    await page.goto(tab.url(f"{link.path}?{link.query}"))
    await page.get_by_role("heading", name="Choose your staff password").wait_for()
    assert "token" not in page.url
    await page.get_by_label("Choose a password").fill("a long staff passphrase")
    await page.get_by_role("button", name="Save my password").click()
    await page.get_by_text("Your password is saved.").wait_for()
    assert tab.problems == []
