"""The month's duty roster in a real browser, on an upright tablet: the civil-affairs
administrator plans December, publishes it, repairs it after a counsellor's sudden absence and
publishes again; the counsellor then sees their duties and can subscribe to them."""

import re
from datetime import date

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from counselors import demo as duty_demo
from counselors.models import Duty, Roster
from mediation.demo import seed_accounts
from tests.browser.conftest import PORTRAIT_TABLET, browser_db, expect_message, sign_in
from tests.browser.journey import key_screen, navigate

pytestmark = [pytest.mark.browser, browser_db]

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DECEMBER = date(2026, 12, 1)


@pytest.fixture
def demo_duty(journey_clock, deterministic_planner):
    """The duty demo as it stood in October: October's and November's rosters are published,
    December's is still to be planned."""
    seed_accounts()
    duty_demo.seed(today=date(2026, 10, 20))


def duties_of(username: str, roster: Roster):
    return roster.duties.filter(counselor__user__username=username).order_by("day", "half_day")


def publish_the_draft(page) -> None:
    page.get_by_role("button", name="发布草稿").click()
    expect_message(page, "排班表已发布")
    expect(page.get_by_test_id("published-status")).to_contain_text("刘芳")


@override_settings(TASKS=IMMEDIATE)
def test_the_administrator_plans_repairs_and_publishes_december_and_a_counsellor_sees_it(
    tablet, open_page, demo_duty
):
    page = tablet
    sign_in(page, "minzheng")
    navigate(page, "轮值排班")
    page.get_by_role("link", name="下个月").click()
    expect(page.get_by_role("heading", name=re.compile("2026年12月"))).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("本月尚未发布排班")
    page.get_by_role("button", name="为本月排班").click()

    grid = page.get_by_role("table", name="月排班表")
    expect(grid).to_contain_text("李静")
    expect(page.get_by_text("草稿", exact=True)).to_be_visible()
    key_screen(page, "administrators", "01-roster-draft")
    publish_the_draft(page)
    december = Roster.objects.published().get(month=DECEMBER)
    first = duties_of("counselor_xlt", december).first()

    # 李静 cannot come on her first December day: a sudden absence, entered by the administrator.
    page.get_by_role("link", name="咨询师").first.click()
    page.get_by_role("link", name="李静").click()
    absence = page.locator("form").filter(has=page.locator("input[value=unavailability]"))
    absence.get_by_label("类型").select_option(label="临时缺勤")
    absence.locator("input[name=start]").fill(first.day.isoformat())
    absence.locator("input[name=end]").fill(first.day.isoformat())
    key_screen(page, "administrators", "02-sudden-absence")
    absence.get_by_role("button", name="保存").click()
    expect_message(page, "已保存")

    page.get_by_role("link", name="月排班表").click()
    page.get_by_role("link", name="下个月").click()
    page.get_by_label("从此日起调整排班").fill(first.day.isoformat())
    page.get_by_role("button", name="调整已发布的排班表").click()
    changes = page.get_by_role("region", name="发布后的变化")
    expect(changes).to_contain_text("李静")
    expect(changes).to_contain_text("删除")
    key_screen(page, "administrators", "03-roster-repair")
    publish_the_draft(page)
    repaired = Roster.objects.published().get(month=DECEMBER)
    assert repaired.pk != december.pk
    assert not duties_of("counselor_xlt", repaired).filter(day=first.day).exists()
    assert repaired.duties.filter(day=first.day, half_day=first.half_day).exists()

    counsellor = open_page(PORTRAIT_TABLET)
    sign_in(counsellor, "counselor_xlt")
    navigate(counsellor, "我的排班")
    duties = counsellor.get_by_role("region", name="我的班次")
    second = duties_of("counselor_xlt", repaired).first()
    expect(duties).to_contain_text(f"{second.day.month}月{second.day.day}日")
    key_screen(counsellor, "counsellor", "13-my-duties")
    assert Duty.objects.filter(roster=repaired).count() > 0
    assert page.console_errors == []


def test_a_counsellor_sees_their_duties_and_can_subscribe(page, demo_duty):
    sign_in(page, "counselor_xlt")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的排班").click()

    expect(page.get_by_role("heading", name="我的班次")).to_be_visible()
    feed = page.get_by_test_id("feed-url")
    expect(feed).to_have_value(re.compile(r"/counselors/feed/[^/]+\.ics$"))
    response = page.request.get(feed.input_value())
    assert response.ok
    assert "BEGIN:VCALENDAR" in response.text()
    assert page.console_errors == []
