"""What every journey shares: its fixed day, and the screenshots of its key screens.

`key_screen(page, role, name)` saves what the screen shows as `<folder>/<role>/<name>.png`. The
folder is TONGXIN_SCREENSHOTS when it is set (`make guide` sets it to docs/guide/img, so the
illustrated guide shows the current screens); otherwise a temporary folder, so every test run
still takes each screenshot and a page that cannot be drawn fails the journey.
"""

import os
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from counselors import demo as duty_demo
from mediation.demo import seed_accounts, seed_cases

# A Friday morning in Panjin. The demo's cases, rosters and deadlines are laid out relative to
# "today", so every journey (and every screenshot in the guide) starts from this moment. November's
# and December's rosters can be planned (the official calendar of 2026 is loaded).
JOURNEY_DAY = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

ROLES = ("counsellor", "supervisor", "administrators", "statistics")
_FALLBACK = Path(tempfile.gettempdir()) / "tongxin-journeys"


def screenshot_folder() -> Path:
    return Path(os.environ.get("TONGXIN_SCREENSHOTS") or _FALLBACK)


def key_screen(page, role: str, name: str, *, full_page: bool = False) -> Path:
    """Save the visible screen (the tablet's viewport; the whole page only when asked) as the
    guide's picture `role/name.png`. Waits for fonts and pending requests, so the picture shows
    what a person would see."""
    assert role in ROLES, role
    path = screenshot_folder() / role / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
    return path


@pytest.fixture
def journey_clock():
    """The server's clock (the live server runs in this process) starts at JOURNEY_DAY and
    keeps ticking; a journey moves it on (`journey_clock.move_to(...)`) when a session has
    taken place."""
    with time_machine.travel(JOURNEY_DAY, tick=True) as traveller:
        yield traveller


@pytest.fixture
def deterministic_planner():
    """The planner bounded by its deterministic time, never by the wall clock: the same rosters
    (and screenshots) on every run and machine."""
    with override_settings(TONGXIN_PLANNER_DETERMINISTIC_LIMIT=10.0):
        yield


@pytest.fixture
def demo(journey_clock, deterministic_planner):
    """The demo as `make run` shows it on JOURNEY_DAY: accounts, rooms, some ten cases per office
    in every state, counsellors and the published rosters of this month and the next."""
    seed_accounts()
    seed_cases()
    duty_demo.seed()


def navigate(page, name: str) -> None:
    """Follow a link of the main navigation, opening the menu first where the tablet's width
    folds it away."""
    navigation = page.get_by_role("navigation", name="主导航")
    link = navigation.get_by_role("link", name=name, exact=True)
    menu = navigation.get_by_role("button", name="菜单")
    if not link.is_visible() and menu.is_visible():
        menu.click()
    link.click()
