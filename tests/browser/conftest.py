"""Playwright driving Debian's Chromium (no browser download), at a tablet's size, in Chinese.

Assertions use Playwright's `expect`, which waits for the page to show what it should (up to the
page's default timeout) instead of reading the page once, perhaps before it has loaded."""

import os
import shutil

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from mediation.models import User
from tests.browser.journey import demo, deterministic_planner, journey_clock
from tests.sign_in import next_code

__all__ = ["demo", "deterministic_planner", "journey_clock"]

# Playwright's sync API keeps an event loop in this thread; Django's ORM is still synchronous here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
TABLET = {"width": 1024, "height": 768}
# Two shared cores can be slow (a monthly report is made inside the click): actions and `expect`
# wait up to this long.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)

# Browser tests need committed rows (the live server reads them from another thread) and the
# reference rows of the data migrations back after each flush.
browser_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is not installed: apt-get install chromium (make test does it)")

    # Playwright's loop gives this thread a new context, and with it new connection objects;
    # carry over the rows Django serialised at set-up so serialized_rollback can restore them.
    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            # Chromium chooses its fonts for Chinese (full-width punctuation in a CJK face, as on
            # the offices' tablets); the context's locale sets only the pages' language.
            env={**os.environ, "LANG": "zh_CN.UTF-8", "LANGUAGE": "zh_CN:zh"},
        )
        yield browser
        browser.close()


LOCALE = "zh-CN"
# The journeys run on a tablet held upright (an iPad Air's 820×1180), as at a registry's desk.
PORTRAIT_TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def open_page(browser, live_server):
    """Open a page in a browser context of its own (its own cookies: another person signing in
    on another tablet), in Chinese; every context is closed when the test ends."""
    contexts = []

    def open_page(viewport=TABLET):
        context = browser.new_context(locale=LOCALE, viewport=viewport, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.console_errors = errors
        # Buttons that ask "are you sure?" (data-confirm) are answered yes.
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def tablet(open_page):
    """A page on the upright tablet the journeys use."""
    return open_page(PORTRAIT_TABLET)


def sign_in(page, username: str, password: str = "tongxin-demo-2026") -> None:
    """Sign in as a person does: the password, then the code their authenticator shows (the
    test computes it from the account's seed, as the phone would)."""
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if "/sign-in/code/" not in page.url:
        return
    page.get_by_label("验证码").fill(next_code(User.objects.get(username=username)))
    page.get_by_role("button", name="继续").click()
    page.wait_for_load_state()


def expect_message(page, text: str) -> None:
    """The page shows this message to the user (the flash messages under the navigation)."""
    expect(page.locator(".tx-messages")).to_contain_text(text)
