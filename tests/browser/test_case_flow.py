"""The acceptance of case work: a counsellor on a tablet, in Chinese, from application to outcome."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mediation.demo import seed_accounts
from mediation.models import Case, ConsentRecord, ConsentSignature, SessionNote
from tests.browser.conftest import browser_db, expect_message, sign_in

pytestmark = [pytest.mark.browser, browser_db]


def expect_deadlines(page):
    header = page.get_by_test_id("case-header")
    expect(header).to_contain_text("冷静期届满")
    expect(header).to_contain_text("申领离婚证期限届满")


def test_a_counsellor_takes_a_divorce_case_from_application_to_outcome(page):
    seed_accounts()
    page.on("dialog", lambda dialog: dialog.accept())
    received = timezone.localdate() - timedelta(days=10)
    yesterday = timezone.localdate() - timedelta(days=1)
    sign_in(page, "counselor_xlt")

    page.get_by_role("link", name="新建个案").click()
    page.get_by_label("服务端口").select_option(label="离婚登记申请")
    page.get_by_label("登记机关受理离婚申请的日期").fill(received.isoformat())
    page.get_by_role("button", name="建档").click()
    expect_message(page, "已建档")
    expect_deadlines(page)
    case_url = page.url

    page.get_by_test_id("party-1").get_by_role("link", name="知情同意").click()
    expect_deadlines(page)
    assert page.get_by_test_id("agreement-BM-2021.1").is_visible()
    for position in (1, 2):
        for purpose in ("counselling", "sensitive", "follow_up"):
            page.get_by_test_id(f"consent-{purpose}-{position}").get_by_text(
                "同意", exact=True
            ).click()
        page.get_by_test_id(f"consent-statistics-{position}").get_by_text("不同意").click()
    pad = page.get_by_test_id("signature-1").locator("canvas")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 20, steps=8)
    page.mouse.move(box["x"] + 220, box["y"] + 90, steps=8)
    page.mouse.up()
    page.get_by_role("button", name="保存知情同意").click()
    expect_message(page, "同意已记录")
    expect_message(page, "签名已加密保存")

    for position in (1, 2):
        page.goto(case_url)
        page.get_by_test_id(f"party-{position}").get_by_role("link", name="安全筛查").click()
        expect_deadlines(page)
        for question in page.locator("fieldset").all():
            question.get_by_label("否").check()
        page.get_by_label("筛查时另一方不在场").check()
        page.get_by_role("button", name="保存").click()
        expect_message(page, "筛查已记录")

    page.get_by_role("link", name="补录已进行的面谈").click()
    page.get_by_label("联合面谈").check()
    page.get_by_label("日期").fill(yesterday.isoformat())
    page.get_by_label("时间").fill("09:30")
    page.get_by_label("调解室").fill("调解室一")
    page.get_by_role("button", name="保存").click()
    expect_message(page, "面谈已记录")
    expect_deadlines(page)

    page.get_by_role("link", name="记为已进行").click()
    page.get_by_label("婚姻辅导").check()
    page.get_by_role("button", name="保存").click()
    page.get_by_role("link", name="撰写我的记录").click()
    page.get_by_label("辅导内容与过程").fill("示例笔记：双方愿意为孩子再试一次。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("main")).to_contain_text("示例笔记：双方愿意为孩子再试一次。")
    page.get_by_role("button", name="签署").click()
    expect_message(page, "记录已签署并锁定")

    page.goto(case_url)
    page.get_by_role("link", name="记录辅导结果").click()
    page.get_by_label("表示和好").check()
    page.get_by_role("button", name="保存").click()
    page.get_by_role("link", name="记录登记结果").click()
    expect_deadlines(page)
    page.get_by_label("和好：撤回离婚登记申请").check()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("main")).to_contain_text("尚未保存")
    page.get_by_role("button", name="记录登记结果并结案").click()

    expect_message(page, "登记结果已记录")
    expect(page.get_by_test_id("case-header")).to_contain_text("已结案")
    case = Case.objects.get()
    assert case.result == "reconcile"
    assert case.outcome.kind == "reconciled"
    assert case.parties.filter(consent_counselling=True, consent_sensitive=True).count() == 2
    assert case.parties.filter(consent_statistics=False).count() == 2
    assert ConsentRecord.objects.filter(action="refused").count() == 2
    assert ConsentSignature.objects.get().party.position == 1
    assert SessionNote.objects.get().status == "signed"
    assert case.follow_ups.count() == 4
    assert page.console_errors == []
