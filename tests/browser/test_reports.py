"""minzheng's statistics in a real browser: the dashboard, its charts and definitions, and a
monthly report made as a draft, confirmed and archived in the background."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from mediation.demo import seed_accounts
from tests.browser.conftest import browser_db, sign_in
from tests.reports import conftest as reports_fixtures

# The hand-counted pilot of the reports tests, and a throw-away report archive.
pilot = reports_fixtures.pilot
report_archive = reports_fixtures.report_archive

pytestmark = [pytest.mark.browser, browser_db]


def test_minzheng_reads_the_dashboard_with_its_charts_and_definitions(page, pilot):
    seed_accounts()
    sign_in(page, "minzheng")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="统计").click()
    page.get_by_label("起始月份").fill("2021-03")
    page.get_by_label("截止月份").fill("2021-05")
    page.get_by_role("button", name="显示").click()

    expect(page.get_by_test_id("headline")).to_contain_text("2021年3月至2021年5月")
    expect(page.locator("svg.tx-chart")).to_have_count(2)
    table = page.locator("#table-mzt")
    expect(table).to_contain_text("盘山县婚姻登记处")
    expect(table).to_contain_text("<5")
    page.locator("#table-outcomes thead a").first.click()
    expect(page.locator("#def-outcomes")).to_be_visible()
    assert page.console_errors == []


@override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)
def test_minzheng_makes_a_monthly_report_and_sees_it_archived(page, pilot):
    seed_accounts()
    sign_in(page, "minzheng")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="月度报告").click()
    page.get_by_label("月份").fill("2021-04")
    page.get_by_role("button", name="生成报告").click()
    expect(page.get_by_test_id("draft").get_by_role("link", name="查看草稿（PDF）")).to_be_visible()
    page.get_by_role("button", name="确认归档").click()

    row = page.locator("#reports tbody tr").first
    expect(row).to_have_attribute("data-status", "done")
    expect(row).to_contain_text("刘芳")
    with page.expect_download() as download:
        row.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert page.console_errors == []
