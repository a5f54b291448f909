"""Every page of every role passes axe-core (no serious or critical violation) on an 820×1180
tablet and a 1366×900 desktop, in Chinese.

The pages are the access matrix's: every GET route the matrix opens to the role (status 200)
that answers with HTML, for the own-office records of its world (tests/test_access_matrix.py).
Violations are listed once each, with the pages they are on. Each role signs in once, as a person
does (password, then the authenticator's code), and each page is loaded once and checked at both
sizes.
"""

import re
from http.cookies import SimpleCookie

import pytest
import time_machine
from django.db import transaction
from playwright.sync_api import expect

from mediation.roles import Role
from tests.browser.a11y import axe_violations, with_axe
from tests.browser.conftest import LOCALE, TIMEOUT_MS, browser_db, sign_in
from tests.factories import make_user, office
from tests.sign_in import TongxinClient, enrol
from tests.test_access_matrix import EXPECTED, NOW, ROLES, _build_world, url_for

pytestmark = [pytest.mark.browser, browser_db]

SIZES = {"tablet": {"width": 820, "height": 1180}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture
def world(settings, tmp_path, live_server):
    settings.REPORT_ARCHIVE_DIR = tmp_path
    with time_machine.travel(NOW, tick=True):
        yield _build_world()


# Swagger UI's page for the API's administrators: django-ninja's bundled markup, not ours (the
# same schema is offered as openapi.json).
NOT_OURS = {"api:openapi-view"}


def html_pages(role: str, world: dict, user) -> list[str]:
    """URLs of the pages the matrix opens to the role that answer with a whole HTML page: not a
    download, and not a fragment that htmx polls into a page (checked as part of that page)."""
    client = TongxinClient(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    urls = []
    for (name, method, scope), statuses in EXPECTED.items():
        if method != "GET" or statuses[role] != 200 or name in NOT_OURS:
            continue
        url = url_for(name, scope, world, user)
        cookies = client.cookies
        with transaction.atomic():
            client.cookies = SimpleCookie(cookies)
            response = client.get(url)
            transaction.set_rollback(True)
        client.cookies = cookies
        if "text/html" in response.get("Content-Type", "") and b"<html" in response.content:
            urls.append(url)
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_passes_axe_at_tablet_and_desktop_size(
    browser, live_server, world, role
):
    user = world["users"].get(role)
    urls = html_pages(role, world, user)
    (first, first_viewport), *others = SIZES.items()
    context = browser.new_context(
        locale=LOCALE, viewport=first_viewport, base_url=live_server.url, bypass_csp=True
    )
    with_axe(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    if user is not None:
        sign_in(page, user.username)
    found: dict[str, list[str]] = {}
    for url in urls:
        page.goto(url)
        # Each page is checked as loaded at the first size, then turned to every other size
        # as a tablet is turned or a window widened (the layout follows; nothing is reloaded).
        for size, viewport in [(first, first_viewport), *others]:
            page.set_viewport_size(viewport)
            for line in axe_violations(page):
                found.setdefault(line, []).append(f"{url} ({size})")
    context.close()

    assert urls or role == "anonymous"
    assert found == {}, "\n".join(
        f"{line}\n    on {len(pages)} page(s): {', '.join(pages[:3])}"
        for line, pages in found.items()
    )


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours (alpha ignored: both are opaque)."""

    def luminance(colour: str) -> float:
        red, green, blue = (int(part) / 255 for part in re.findall(r"[\d.]+", colour)[:3])
        linear = [
            c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_at_tablet_width_the_navigation_is_open_and_the_keyboard_focus_is_plain_to_see(
    browser, live_server
):
    user = make_user(Role.COUNSELOR, office("XLT"), username="c_tablet")
    enrol(user)
    context = browser.new_context(locale=LOCALE, viewport=SIZES["tablet"], base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    sign_in(page, user.username)

    navigation = page.get_by_role("navigation", name="主导航")
    expect(navigation.get_by_role("button", name="菜单")).to_be_hidden()
    link = navigation.get_by_role("link", name="我的个案")
    expect(link).to_be_visible()
    for _ in range(20):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    ring = link.evaluate(
        """element => {
            const style = getComputedStyle(element, null);
            const bar = getComputedStyle(element.closest("nav"), null);
            return {width: parseFloat(style.outlineWidth), style: style.outlineStyle,
                    colour: style.outlineColor, background: bar.backgroundColor};
        }"""
    )
    context.close()

    assert ring["style"] == "solid"
    assert ring["width"] >= 3
    assert contrast(ring["colour"], ring["background"]) >= 3
