"""Headless Chromium for the web inbox tests: Debian's chromium driven by Playwright.

No browser is downloaded (``playwright install`` is never run): Playwright launches the
system executable with a fresh profile each time. The bootstrap installs the package.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.stack import ARTIFACTS

CHROMIUM = Path(os.environ.get("SOCIALCARE_CHROMIUM", "/usr/bin/chromium"))
# Quiet and offline: no sandbox (root in CI), no GPU, no calls home of any kind.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ARTIFACTS / "screenshots"
# Live updates cross Kafka and several processes; on a loaded CI machine that takes seconds.
expect.set_options(timeout=30_000)
DESKTOP = {"width": 1280, "height": 860}
TABLET = {"width": 820, "height": 1180}


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium; fails with the fix when the executable is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/bootstrap (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Browser, base_url: str, viewport: dict[str, int] = DESKTOP) -> Page:
    """A page in a context of its own (its own sessionStorage: one signed-in user each)."""
    context = browser.new_context(base_url=base_url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def screenshot(page: Page, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
