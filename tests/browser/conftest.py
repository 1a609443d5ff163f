"""Browser tests: Debian's chromium driven by Playwright's async API in the session's event
loop, against a whole stack per module. Screenshots go to CNVB_SCREENSHOT_DIR if set, else
to a temporary directory (never into the repository)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from tests.browser.pages import ARGS, CHROMIUM, Screens
from tests.browser.stack import UiStack, ui_stack


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("CNVB_SCREENSHOT_DIR")
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


@pytest_asyncio.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `apt-get install -y chromium` (make test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        await launched.close()


@pytest_asyncio.fixture(scope="module")
async def stack(mongodb_url: str, amqp_url: str) -> AsyncIterator[UiStack]:
    async with ui_stack(mongodb_url, amqp_url) as running:
        yield running


@pytest_asyncio.fixture
async def screens(browser: Browser, stack: UiStack, screenshot_dir: Path) -> AsyncIterator[Screens]:
    """A desktop page (and phone-sized pages for screenshots) of the stack's UI; fails the
    test on any uncaught script error."""
    async with Screens.open(browser, stack.gateway, screenshot_dir) as opened:
        yield opened
