"""Chinese formatting everywhere: every page every role may open (the access matrix's URL walk),
rendered in zh-hans, shows dates the Chinese way and no English leftovers in its visible text.

Visible text is what a reader sees: element text outside <script>, <style> and <template>, and
the text of <option>s. Attribute values (an <input value>, a <time datetime>, hrefs) are machine
readable and may be ISO; the labels a screen reader reads (aria-label, title, placeholder, alt)
are checked for the English words too.
"""

import re
from datetime import date
from html.parser import HTMLParser
from http.cookies import SimpleCookie

import pytest
import time_machine
from django.db import transaction
from django.utils import translation

from mediation.services import staff_reminders
from tests.sign_in import TongxinClient
from tests.test_access_matrix import EXPECTED, NOW, ROLES, _build_world, url_for

# ISO dates, year-months and month-days (2026-11-28, 2026-11, 12-02) not inside a longer token such
# as a case number (XLT-2026-0001) or an application number.
ISO_DATE = re.compile(
    r"(?<![A-Za-z0-9_-])(?:\d{4}-\d{1,2}(?:-\d{1,2})?|\d{1,2}-\d{1,2})(?![A-Za-z0-9_-])"
)
# English a zh-hans page must not show: framework defaults (select placeholders, pagination,
# booleans, Django's admin-style words) and the leftovers seen on these screens. Whole words,
# case-sensitive as they are written in the sources.
LEFTOVERS = (
    "- Select an option -",
    "Select",
    "Organisation",
    "Organization",
    "is published",
    "Page",
    "of",
    "Next",
    "Previous",
    "None",
    "True",
    "False",
    "Yes",
    "No",
    "Unknown",
    "Search",
    "Submit",
    "Save",
    "Cancel",
    "Delete",
    "Edit",
    "Back",
    "Download",
    "Required",
    "required",
    "This field",
    "Enter a valid",
    "Currently",
    "Change",
    "Clear",
    "the",
    "and",
    "for",
    "a.m.",
    "p.m.",
    "AM",
    "PM",
    "noon",
    "midnight",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    # Role codes as stored, instead of the role's name.
    "counselor",
    "supervisor",
    "civil_affairs",
    "womens_federation",
    "sysadmin",
    "secadmin",
    "auditadmin",
)
LEFTOVER = re.compile(
    "|".join(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])" for word in LEFTOVERS)
)
SPOKEN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}
HIDDEN = {"script", "style", "template"}


class VisibleText(HTMLParser):
    """The text of a page as a reader sees it, and the labels read aloud, one string each."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.spoken: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self._hidden += 1
        self.spoken += [value for name, value in attrs if name in SPOKEN_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.text.append(" ".join(data.split()))


def findings(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for text in parser.text:
        found += [f"ISO date {m.group()!r} in {text[:80]!r}" for m in ISO_DATE.finditer(text)]
        found += [f"English {m.group()!r} in {text[:80]!r}" for m in LEFTOVER.finditer(text)]
    for label in parser.spoken:
        found += [
            f"English {m.group()!r} in label {label[:80]!r}" for m in LEFTOVER.finditer(label)
        ]
    return found


def test_the_checker_sees_what_a_reader_sees():
    html = (
        '<p>受理 2026-11-28，<time datetime="2026-12-02">12月2日</time></p>'
        '<input value="2026-11-01"><script>var d = "2026-01-01";</script>'
        "<select><option>- Select an option -</option></select>"
        '<a title="Next page">&rsaquo;</a><p>XLT-2026-0001 本案 Notes</p>'
    )

    assert findings(html) == [
        "ISO date '2026-11-28' in '受理 2026-11-28，'",
        "English '- Select an option -' in '- Select an option -'",
        "English 'Next' in label 'Next page'",
    ]


@pytest.fixture
def world(db, settings, tmp_path):
    """The access matrix's world, with the notices a day of work raises (an overdue follow-up
    call), so that their text is read too."""
    settings.REPORT_ARCHIVE_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        world = _build_world()
        assert staff_reminders.raise_overdue_notices(today=date(2027, 3, 1)) > 0
        yield world


def pages_of(role: str) -> list[tuple[str, str]]:
    """(route, scope) of every GET row the access matrix opens to the role."""
    return [
        (name, scope)
        for (name, method, scope), statuses in EXPECTED.items()
        if method == "GET" and statuses[role] == 200
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_chinese_with_chinese_dates(world, role):
    user = world["users"].get(role)
    browser = TongxinClient(raise_request_exception=False, headers={"accept-language": "zh-hans"})
    if user is not None:
        browser.force_login(user)
    wrong = []
    checked = 0
    for name, scope in pages_of(role):
        url = url_for(name, scope, world, user)
        with translation.override("zh-hans"):
            response = fetch(browser, url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        wrong += [f"{name} {scope} {url}: {f}" for f in findings(response.content.decode())]

    assert wrong == [], "\n".join(wrong)
    assert checked > 0 or role == "anonymous"


def fetch(browser: TongxinClient, url: str):
    """One GET in a transaction rolled back afterwards, as the access matrix asks its pages."""
    cookies = browser.cookies
    with transaction.atomic():
        browser.cookies = SimpleCookie(cookies)
        response = browser.get(url)
        transaction.set_rollback(True)
    browser.cookies = cookies
    return response
