import re

import pytest
from playwright.sync_api import expect

from counselors import demo
from mediation.demo import seed_accounts
from tests.browser.conftest import browser_db, sign_in

pytestmark = [pytest.mark.browser, browser_db]


@pytest.fixture
def demo_duty():
    seed_accounts()
    demo.seed()


def test_the_civil_affairs_administrator_sees_the_month_grid(page, demo_duty):
    sign_in(page, "minzheng")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="轮值排班").click()

    grid = page.get_by_role("table", name="月排班表")
    expect(grid).to_be_visible()
    expect(grid).to_contain_text("兴隆台区婚姻登记处")
    expect(grid).to_contain_text("李静")
    expect(page.get_by_test_id("published-status")).to_contain_text("发布")
    expect(page.get_by_role("button", name="为本月排班")).to_be_visible()
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
