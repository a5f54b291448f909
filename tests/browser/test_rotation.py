"""The month's duty roster in a real browser, on an upright tablet: the civil-affairs
administrator plans December, publishes it, repairs it after a counsellor's sudden absence and
publishes again; the counsellor then sees their duties and can subscribe to them."""

import re
from datetime import date

import pytest
from django.test import override_settings
from django.utils import translation
from playwright.sync_api import expect

from counselors import demo as duty_demo
from counselors.models import CounselorProfile, Duty, Roster
from mediation.demo import seed_accounts
from mediation.models import AuditEvent, RegistryOffice
from tests.browser.conftest import PORTRAIT_TABLET, browser_db, expect_message, sign_in
from tests.browser.journey import JOURNEY_DAY, key_screen, navigate

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


def a_certified_counsellors_lone_duty(today: date):
    """A duty to come at 兴隆台 whose counsellor is the only one there that half-day with a
    psychological counsellor's certificate, and a colleague of 兴隆台 without one who is free
    then: the swap the office's rule forbids without an override."""
    roster = Roster.objects.published().get(month=DECEMBER)
    xlt = RegistryOffice.objects.get(code="XLT")
    uncertified = [
        profile
        for profile in CounselorProfile.objects.filter(offices=xlt).prefetch_related(
            "qualifications"
        )
        if not profile.qualified_until()
    ]
    duties = roster.duties.filter(office=xlt, day__gt=today).select_related("counselor__user")
    for duty in duties.order_by("day", "half_day"):
        same_half_day = roster.duties.filter(day=duty.day, half_day=duty.half_day)
        at_xlt = [other for other in same_half_day if other.office_id == xlt.pk]
        certified = [other for other in at_xlt if other.counselor.qualified_until()]
        if certified != [duty]:
            continue
        busy = {other.counselor_id for other in same_half_day}
        for colleague in uncertified:
            if colleague.pk not in busy:
                return duty, colleague
    pytest.fail("no certified counsellor is alone at 兴隆台 on a half-day of December")


def test_a_swap_that_leaves_no_certified_counsellor_is_approved_only_with_a_reason(
    tablet, open_page, demo, journey_clock
):
    duty, colleague = a_certified_counsellors_lone_duty(JOURNEY_DAY.date())
    giver = duty.counselor.user
    with translation.override("zh-hans"):
        half_day = duty.get_half_day_display()

    page = tablet
    sign_in(page, giver.username)
    navigate(page, "我的排班")
    page.get_by_role("row").filter(
        has_text=f"{duty.day:%Y}年{duty.day.month}月{duty.day.day}日"
    ).filter(has_text=half_day).filter(has_text="兴隆台").get_by_role(
        "link", name="请同事换班"
    ).click()
    page.get_by_label("同事").select_option(label=colleague.user.display_name)
    page.get_by_label("原因").fill("孩子学校开家长会")
    key_screen(page, "counsellor", "14-swap-request")
    page.get_by_role("button", name="发送申请").click()
    expect_message(page, "已向同事发出申请")

    other = open_page(PORTRAIT_TABLET)
    sign_in(other, colleague.user.username)
    navigate(other, "我的排班")
    # The request among the colleague's swap requests (a notice above says the same in words).
    request = other.locator("li.list-group-item").filter(has_text=giver.display_name)
    request.get_by_role("button", name="同意").click()
    expect(request).to_contain_text("等待审批")

    administrator = open_page(PORTRAIT_TABLET)
    sign_in(administrator, "minzheng")
    navigate(administrator, "轮值排班")
    administrator.get_by_role("link", name=re.compile("换班申请等待您审批")).click()
    administrator.get_by_role("link", name="审核并批准").click()
    warnings = administrator.get_by_test_id("coverage-warnings")
    expect(warnings).to_contain_text("没有持证心理咨询师")
    # Neither approved as it stands, nor with the override alone: it takes a reason too.
    administrator.get_by_role("button", name="仍然批准").click()
    expect(administrator.get_by_role("main")).to_contain_text("请勾选此项并说明理由")
    administrator.get_by_label("仍然批准：我已另行安排好该登记处的值班").check()
    administrator.get_by_role("button", name="仍然批准").click()
    expect(administrator.get_by_role("main")).to_contain_text(
        "请说明为何在值班不足的情况下仍批准换班"
    )
    administrator.get_by_label("仍然批准：我已另行安排好该登记处的值班").check()
    administrator.get_by_label("仍然批准的理由").fill("已请心理研究会临时派持证咨询师到场")
    key_screen(administrator, "administrators", "04-swap-override")
    administrator.get_by_role("button", name="仍然批准").click()
    expect_message(administrator, "已批准")

    duty.refresh_from_db()
    assert duty.counselor == colleague
    event = AuditEvent.objects.get(action="swap.decide")
    assert event.details["override"] is True
    assert event.details["coverage"][0]["problem"] == "qualified"
    assert administrator.console_errors == []
