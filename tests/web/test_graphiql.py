"""GraphiQL renders from the server's own, pinned assets: no CDN, no inline script."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser

from server.settings import Settings
from tests.clock import FrozenClock
from tests.conftest import LiveServer, serving
from tests.web.conftest import browser_pass, open_tab, shoot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def debug_live(settings: Settings, db: None, clock: FrozenClock) -> AsyncIterator[LiveServer]:
    async with serving(settings.model_copy(update={"debug": True}), clock) as server:
        yield server


@browser_pass
async def test_graphiql_renders_its_editor_with_no_request_beyond_the_server(
    browser: Browser, debug_live: LiveServer
) -> None:
    async with open_tab(browser, debug_live) as tab:
        await tab.page.goto(tab.url("/graphql"))
        await tab.page.locator(".graphiql-query-editor .CodeMirror").first.wait_for()
        await tab.page.locator(".graphiql-execute-button").click()
        response = tab.page.locator(".graphiql-response")
        await response.get_by_text('"data"').wait_for()
        await shoot(tab.page, "graphiql")
        assert tab.foreign_requests() == []
        assert tab.problems == []


async def test_graphiql_is_not_served_outside_debug(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" not in response.text.lower()


async def test_pages_and_assets_carry_a_strict_policy(http: httpx.AsyncClient) -> None:
    for path in ["/submit", "/static/pages/api.js", "/healthz"]:
        response = await http.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["x-frame-options"] == "DENY"


async def test_no_page_has_an_inline_script(http: httpx.AsyncClient) -> None:
    from server.web.routes import PAGES

    for path in PAGES:
        text = (await http.get(path)).text
        for tag in text.split("<script")[1:]:
            head = tag.partition(">")[0]
            assert "src=" in head or 'type="application/json"' in head, (path, head)
        assert " on" + "click=" not in text


def test_vendored_assets_match_their_pinned_sums() -> None:
    check = [sys.executable, str(ROOT / ".ci" / "vendor_assets.py"), "--check"]
    assert subprocess.run(check, capture_output=True, text=True).returncode == 0
