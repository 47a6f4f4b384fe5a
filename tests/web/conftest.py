"""One Chromium for the whole run (Debian's, driven by Playwright), a fresh context per test.

The browser tests run on the SQLite pass only: the pages speak to the same public API
that the rest of the suite already runs on PostgreSQL and Redis, so a second browser
run would cost CI a minute and prove nothing new.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, Request, async_playwright

from server.app import create_app
from server.settings import Settings
from services.clock import Clock
from tests.conftest import LiveServer
from tests.waiting import until

CHROMIUM = os.environ.get("PLAYROLL_TEST_CHROMIUM", "/usr/bin/chromium")

browser_pass = pytest.mark.skipif(
    bool(os.environ.get("PLAYROLL_TEST_DATABASE_URL")),
    reason="browser tests run once, on the SQLite pass: the pages use the same public API "
    "the PostgreSQL + Redis pass already covers",
)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (CI installs it)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        await launched.close()


@dataclass
class Tab:
    """A page of a fresh browser context, with every request and console error it saw."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.origin + path

    def foreign_requests(self) -> list[str]:
        local = (self.origin, self.origin.replace("http://", "ws://"), "data:")
        return [url for url in self.requests if not url.startswith(local)]


@pytest.fixture
async def tab(browser: Browser, live: LiveServer) -> AsyncIterator[Tab]:
    async with open_tab(browser, live) as opened:
        yield opened


def open_tab(browser: Browser, live: LiveServer | int) -> _TabContext:
    port = live if isinstance(live, int) else live.port
    return _TabContext(browser, f"http://127.0.0.1:{port}")


class _TabContext:
    def __init__(self, browser: Browser, origin: str) -> None:
        self.browser, self.origin = browser, origin
        self.context: BrowserContext | None = None

    async def __aenter__(self) -> Tab:
        self.context = await self.browser.new_context(viewport={"width": 1000, "height": 800})
        self.context.set_default_timeout(8000)
        page = await self.context.new_page()
        opened = Tab(page, self.origin)

        def seen(request: Request) -> None:
            opened.requests.append(request.url)

        page.on("request", seen)
        page.on("websocket", lambda ws: opened.requests.append(ws.url))
        page.on(
            "console",
            lambda m: opened.problems.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: opened.problems.append(str(e)))
        return opened

    async def __aexit__(self, *exc: object) -> None:
        assert self.context is not None
        await self.context.close()


@asynccontextmanager
async def serving_on(settings: Settings, clock: Clock, port: int) -> AsyncIterator[LiveServer]:
    """The real app on ``port``, so a test can stop it and start another in its place."""
    app = create_app(settings, clock=clock, manage_database=False)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return bool(server.started)

    await until(started)
    try:
        yield LiveServer(app=app, port=port, broadcast_url=settings.broadcast_url)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def shoot(page: Page, name: str, *, full_page: bool = False) -> None:
    """A screenshot for the README, only when asked: PLAYROLL_TEST_SCREENSHOTS=docs/screenshots."""
    folder = os.environ.get("PLAYROLL_TEST_SCREENSHOTS")
    if folder:
        await page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=full_page)
