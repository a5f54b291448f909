import pytest

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
    assert grid.is_visible()
    assert "兴隆台区婚姻登记处" in grid.inner_text()
    assert "李静" in grid.inner_text()
    assert "发布" in page.get_by_test_id("published-status").inner_text()
    assert page.get_by_role("button", name="为本月排班").is_visible()
    assert page.console_errors == []


def test_a_counsellor_sees_their_duties_and_can_subscribe(page, demo_duty):
    sign_in(page, "counselor_xlt")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的排班").click()

    assert page.get_by_role("heading", name="我的班次").is_visible()
    feed_url = page.get_by_test_id("feed-url").input_value()
    assert "/counselors/feed/" in feed_url and feed_url.endswith(".ics")
    response = page.request.get(feed_url)
    assert response.ok and "BEGIN:VCALENDAR" in response.text()
    assert page.console_errors == []
