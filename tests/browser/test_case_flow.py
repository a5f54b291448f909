"""A counsellor's journeys on an upright tablet, in Chinese: a divorce case from the today page
to its outcome and a follow-up, and a case whose safety screen is positive."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mediation.models import Case, ConsentRecord, ConsentSignature, FollowUp, SessionNote
from tests.browser.a11y import check_axe
from tests.browser.conftest import browser_db, expect_message, sign_in
from tests.browser.journey import JOURNEY_DAY, key_screen

pytestmark = [pytest.mark.browser, browser_db]


def expect_deadlines(page):
    header = page.get_by_test_id("case-header")
    expect(header).to_contain_text("冷静期届满")
    expect(header).to_contain_text("申领离婚证期限届满")


def open_divorce_case(page, received) -> str:
    """From the today page: a divorce case whose application the registry received on that day;
    the case's address."""
    page.get_by_role("link", name="新建个案").click()
    page.get_by_label("服务端口").select_option(label="离婚登记申请")
    page.get_by_label("登记机关受理离婚申请的日期").fill(received.isoformat())
    key_screen(page, "counsellor", "02-open-case")
    page.get_by_role("button", name="建档").click()
    expect_message(page, "已建档")
    expect_deadlines(page)
    return page.url


def sign_consent(page, *, statistics: bool = False) -> None:
    """Both parties agree to counselling, sensitive information and follow-up; the first signs."""
    page.get_by_test_id("party-1").get_by_role("link", name="知情同意").click()
    expect_deadlines(page)
    expect(page.get_by_test_id("agreement-BM-2021.1")).to_be_visible()
    for position in (1, 2):
        for purpose in ("counselling", "sensitive", "follow_up"):
            page.get_by_test_id(f"consent-{purpose}-{position}").get_by_text(
                "同意", exact=True
            ).click()
        page.get_by_test_id(f"consent-statistics-{position}").get_by_text(
            "同意" if statistics else "不同意", exact=True
        ).click()
    pad = page.get_by_test_id("signature-1").locator("canvas")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 20, steps=8)
    page.mouse.move(box["x"] + 220, box["y"] + 90, steps=8)
    page.mouse.up()
    key_screen(page, "counsellor", "04-consent")
    page.get_by_role("button", name="保存知情同意").click()
    expect_message(page, "同意已记录")
    expect_message(page, "签名已加密保存")


def screen(page, case_url: str, position: int, *, positive: bool = False) -> None:
    page.goto(case_url)
    page.get_by_test_id(f"party-{position}").get_by_role("link", name="安全筛查").click()
    expect_deadlines(page)
    questions = page.locator("fieldset").all()
    for index, question in enumerate(questions):
        question.get_by_label("是" if positive and index == 0 else "否", exact=True).check()
    page.get_by_label("筛查时另一方不在场").check()
    if position == 1:
        key_screen(page, "counsellor", "05-safety-screen")
    page.get_by_role("button", name="保存").click()
    expect_message(page, "筛查呈阳性。已禁止联合面谈" if positive else "筛查已记录")


def choose_first_slot(page) -> datetime:
    """The first free slot the week grid offers (a later week when this one has none); when it
    starts."""
    grid = page.get_by_test_id("week-grid")
    expect(grid).to_be_visible()
    slots = grid.locator("input[name=slot]")
    if slots.count() == 0:
        page.get_by_role("link", name="下一周").click()
        expect(slots.first).to_be_attached()
    value = slots.first.get_attribute("value")
    grid.locator(f"label[for='{slots.first.get_attribute('id')}']").click()
    return datetime.fromisoformat(value.split("|", 1)[1])


def test_a_counsellor_takes_a_divorce_case_from_the_today_page_to_its_follow_up(
    tablet, demo, journey_clock
):
    page = tablet
    received = JOURNEY_DAY.date() - timedelta(days=10)
    sign_in(page, "counselor_xlt")

    page.goto("/mediation/today/")
    expect(page.get_by_test_id("section-overdue")).to_be_visible()
    expect(page.get_by_test_id("count-overdue")).not_to_have_text("0")
    key_screen(page, "counsellor", "01-today")

    case_url = open_divorce_case(page, received)
    key_screen(page, "counsellor", "03-case")
    sign_consent(page)
    for position in (1, 2):
        screen(page, case_url, position)

    page.goto(case_url)
    page.get_by_role("link", name="预约面谈").click()
    starts_at = choose_first_slot(page)
    page.get_by_label("联合面谈", exact=True).check()
    page.get_by_test_id("rooms").get_by_text("调解室一").click()
    check_axe(page)  # the chosen slot and room stay readable
    key_screen(page, "counsellor", "06-booking")
    page.get_by_role("button", name="预约面谈").click()
    expect_message(page, "面谈已预约")

    # The session takes place; an hour after it started the counsellor (signed out after 30 idle
    # minutes) signs in again, records it and writes the note.
    journey_clock.move_to(starts_at + timedelta(hours=1))
    sign_in(page, "counselor_xlt")
    page.goto(case_url)
    page.get_by_role("link", name=f"{timezone.localtime(starts_at):%H:%M}").first.click()
    page.get_by_role("link", name="记为已进行").click()
    page.get_by_label("婚姻辅导").check()
    page.get_by_role("button", name="保存").click()
    page.get_by_role("link", name="撰写我的记录").click()
    page.get_by_label("辅导内容与过程").fill("示例笔记：双方愿意为孩子再试一次。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("main")).to_contain_text("示例笔记：双方愿意为孩子再试一次。")
    key_screen(page, "counsellor", "07-note")
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
    key_screen(page, "counsellor", "08-outcome")
    page.get_by_role("button", name="记录登记结果并结案").click()
    expect_message(page, "登记结果已记录")
    expect(page.get_by_test_id("case-header")).to_contain_text("已结案")
    key_screen(page, "counsellor", "09-closed")

    # An overdue follow-up call, of a reconciliation three months ago among the demo's cases.
    page.goto("/mediation/today/")
    page.get_by_test_id("section-overdue").get_by_role("link", name="3个月回访").first.click()
    page.get_by_label("已联系上").check()
    page.get_by_label("和好是否维持？").select_option(label="是")
    key_screen(page, "counsellor", "10-follow-up")
    page.get_by_role("button", name="保存").click()
    expect_message(page, "回访已记录")

    case = Case.objects.get(uuid=case_url.rstrip("/").rsplit("/", 1)[1])
    assert case.result == "reconcile"
    assert case.outcome.kind == "reconciled"
    assert case.parties.filter(consent_counselling=True, consent_sensitive=True).count() == 2
    assert case.parties.filter(consent_statistics=False).count() == 2
    assert ConsentRecord.objects.filter(party__case=case, action="refused").count() == 2
    assert ConsentSignature.objects.get(party__case=case).party.position == 1
    assert SessionNote.objects.get(session__case=case).status == "signed"
    assert case.follow_ups.count() == 4
    assert FollowUp.objects.filter(status="done", recorded_by__username="counselor_xlt").exists()
    assert page.console_errors == []


def test_a_positive_safety_screen_blocks_joint_sessions_and_offers_a_referral(
    tablet, demo, journey_clock
):
    page = tablet
    sign_in(page, "counselor_xlt")
    page.goto("/mediation/today/")
    case_url = open_divorce_case(page, JOURNEY_DAY.date() - timedelta(days=3))
    sign_consent(page)

    screen(page, case_url, 2, positive=True)

    expect(page.get_by_role("heading", name="转介")).to_be_visible()
    page.get_by_label("转介至").select_option(label="妇联（反家庭暴力）")
    page.get_by_label("原因").fill("示例：当事人2陈述曾受威胁，需要反家暴支持。")
    key_screen(page, "counsellor", "11-referral")
    page.get_by_role("button", name="保存").click()
    expect_message(page, "转介已记录。")
    expect(page.get_by_test_id("party-2")).to_contain_text("筛查阳性")

    page.get_by_role("link", name="预约面谈").click()
    expect(page.get_by_role("status").filter(has_text="只能预约单独面谈")).to_be_visible()
    expect(page.get_by_label("联合面谈", exact=True)).to_have_count(0)
    expect(page.get_by_label("单独面谈", exact=True)).to_be_checked()
    key_screen(page, "counsellor", "12-booking-after-positive-screen")
    assert page.console_errors == []
