"""Driving the UI: the chromium to launch, desktop and phone viewports, screenshots, and
waiting until a page has finished loading its sections."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession
from playwright.async_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
WAIT_MS = 30_000
# Nothing loading any more: no progress indicator, no section marked busy. (Polled with
# evaluate: wait_for_function evaluates strings, which the UI's CSP rightly forbids.)
SETTLED = "() => !document.querySelector('.loading, [aria-busy=true]')"


async def settled(page: Page, timeout: float = WAIT_MS) -> None:
    deadline = time.monotonic() + timeout / 1000
    while not await page.evaluate(SETTLED):
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url} still loading after {timeout / 1000:.0f} s")
        await asyncio.sleep(0.1)


async def api_json(url: str, method: str = "GET", **kwargs: Any) -> Any:
    """An API answer, fetched outside the browser (what the page should agree with)."""
    async with ClientSession() as session, session.request(method, url, **kwargs) as response:
        assert response.status < 400, (url, response.status, await response.text())
        return await response.json()


async def api_bytes(url: str) -> bytes:
    async with ClientSession() as session, session.get(url) as response:
        assert response.status == 200, (url, response.status)
        return await response.read()


@dataclass
class Screens:
    """The desktop page a test drives, and screenshots of what it shows on a desktop and
    on a phone (a fresh phone-sized page at the same URL)."""

    browser: Browser
    base: str
    directory: Path
    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, browser: Browser, base: str, directory: Path) -> AsyncIterator[Screens]:
        context = await browser.new_context(viewport=DESKTOP, accept_downloads=True)
        context.set_default_timeout(WAIT_MS)
        page = await context.new_page()
        screens = cls(browser, base, directory, context, page)
        page.on("pageerror", lambda error: screens.errors.append(str(error)))
        try:
            yield screens
        finally:
            await context.close()
        assert screens.errors == [], f"script errors on the page: {screens.errors}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    async def goto(self, path: str) -> Page:
        await self.page.goto(self.url(path))
        await settled(self.page)
        return self.page

    async def shoot(self, name: str, *, phone: bool = True) -> list[Path]:
        """Full-page screenshots of the page as it is (desktop) and of its URL on a phone."""
        shots = [self.directory / f"{name}-desktop.png"]
        await self.page.screenshot(path=str(shots[0]), full_page=True)
        if phone:
            shots.append(self.directory / f"{name}-phone.png")
            context = await self.browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
            try:
                page = await context.new_page()
                page.on("pageerror", lambda error: self.errors.append(f"phone: {error}"))
                await page.goto(self.page.url)
                await settled(page)
                await page.screenshot(path=str(shots[1]), full_page=True)
            finally:
                await context.close()
        return shots
