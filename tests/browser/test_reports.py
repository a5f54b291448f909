"""minzheng's statistics in a real browser: the dashboard, its charts and definitions, and a
monthly report made as a draft, confirmed and archived in the background."""

from http import HTTPStatus
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from mediation.demo import seed_accounts
from tests.browser.conftest import PORTRAIT_TABLET, browser_db, sign_in
from tests.browser.journey import key_screen, navigate
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
@pytest.mark.usefixtures("journey_clock")
def test_the_statistics_roles_make_and_download_monthly_reports_and_open_no_case(
    tablet, open_page, pilot
):
    """民政 (刘芳) and 妇联 (陈红) each make a month's report as a draft, confirm it, download the
    archived PDF; neither opens a case, its list or the search, even knowing its address."""
    seed_accounts()
    for username, name, month, tablet_page in (
        ("minzheng", "刘芳", "2021-04", tablet),
        ("fulian", "陈红", "2021-05", open_page(PORTRAIT_TABLET)),
    ):
        page = tablet_page
        sign_in(page, username)
        navigate(page, "月度报告")
        page.get_by_label("月份").fill(month)
        page.get_by_role("button", name="生成报告").click()
        draft = page.get_by_test_id("draft")
        expect(draft.get_by_role("link", name="查看草稿（PDF）")).to_be_visible()
        key_screen(page, "statistics", f"01-draft-{username}")
        page.get_by_role("button", name="确认归档").click()

        row = page.locator("#reports tbody tr").filter(has_text=name).first
        expect(row).to_have_attribute("data-status", "done")
        key_screen(page, "statistics", f"02-archived-{username}")
        with page.expect_download() as download:
            row.get_by_role("link", name="下载").click()
        assert download.value.suggested_filename.endswith(".pdf")
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
        assert page.console_errors == []

        for refused in (
            f"/mediation/cases/{pilot.a.uuid}/",
            "/mediation/cases/",
            "/mediation/search/",
        ):
            response = page.goto(refused)
            assert response.status == HTTPStatus.NOT_FOUND, (username, refused)
            expect(page.get_by_role("heading", name="未找到")).to_be_visible()
        key_screen(page, "statistics", f"03-no-case-{username}")
