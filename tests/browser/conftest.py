"""Headless Chromium through Playwright, sized like a cheap Android phone.

Uses the system Chromium (/usr/bin/chromium, which `make test` installs with
apt); never `playwright install`. Outside CI a missing binary skips the
browser tests with the command that installs it; in CI (CI set) it fails the
run, so a green CI always means the pages were driven.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
PASSWORD = "pw-test-123"  # tests.factories.user()
SHOTS_FOR_LEAD = Path("/tmp/bkb-shots")


MISSING = f"{CHROMIUM} not found: run `sudo apt-get install -y chromium` (or `make test` as root)"


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    browser_tests = [item for item in items if "browser" in item.keywords]
    if browser_tests and os.environ.get("CI"):
        raise pytest.UsageError(f"CI is set and {len(browser_tests)} browser tests cannot run: {MISSING}")
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login_page(page, live_server):
    """Log in through the real login form; returns the page, now on the home redirect target."""

    def _login(user, password: str = PASSWORD):
        page.goto(f"{live_server.url}/masuk/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.get_by_role("button", name="Masuk", exact=True).click()
        assert "/masuk/" not in page.url, f"login failed for {user.username}: still on {page.url}"
        return page

    return _login


@pytest.fixture
def shot(page, tmp_path):
    """Full-page screenshot into tmp_path, also copied to /tmp/bkb-shots/ for a human to look at."""

    def _shot(name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.evaluate("window.scrollTo(0, 0)")  # else the sticky navbar lands mid-page in the capture
        page.screenshot(path=str(path), full_page=True)
        SHOTS_FOR_LEAD.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS_FOR_LEAD / path.name)
        return path

    return _shot
