"""Browser tests: Playwright driving the system Chromium against the live server."""

import os
from pathlib import Path

import pytest

# Debian's build of Chromium's headless shell (package chromium-headless-shell), the
# browser Playwright itself runs headless tests on: the browser suite took about a
# fifth less time on it than on the full browser, /usr/bin/chromium.
CHROMIUM = Path("/usr/lib/chromium/chromium-headless-shell")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Playwright's sync API runs an event loop in this thread; the tests still read the
# database synchronously, which is safe here because nothing else uses the loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Browser tests need Chromium at {CHROMIUM}; it is not installed.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server, settings, migrated_data):
    """Open pages in fresh browser contexts (no shared cookies) at a given size.

    Pages ask for reduced motion, as a phone's accessibility setting does: Bootstrap
    then scrolls without animating, and Playwright stops waiting for each smooth
    scroll to end before it clicks (a checkbox took 128 ms to check, 46 ms without).
    ``motion="no-preference"`` opens a page with the browser's default.
    """
    settings.INTAKE_NEW_FORMS_PER_HOUR = 1000
    settings.CLINIC_SITE_URL = live_server.url  # links in e-mail point here
    contexts = []

    def open_page(viewport=PHONE, language="en", motion="reduce"):
        context = browser.new_context(
            viewport=viewport,
            base_url=live_server.url,
            locale=f"{language}-US",
            reduced_motion=motion,
            extra_http_headers={"Accept-Language": f"{language}-US,{language};q=0.9"},
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
