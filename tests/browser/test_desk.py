"""The supervisor of 兴隆台 on an upright tablet: the desk they land on, and moving a
counsellor's cases to a colleague. The counsellor who gave them up, signed in on another
tablet, is refused the case at their very next request."""

from http import HTTPStatus

import pytest
from playwright.sync_api import expect

from mediation.models import AuditEvent, Case
from tests.browser.conftest import PORTRAIT_TABLET, browser_db, expect_message, sign_in
from tests.browser.journey import key_screen, navigate

pytestmark = [pytest.mark.browser, browser_db]

CASE = "XLT-2026-0003"


def test_a_supervisor_moves_a_case_and_the_old_counsellor_loses_it_at_once(
    tablet, open_page, demo, journey_clock
):
    counsellor = open_page(PORTRAIT_TABLET)
    sign_in(counsellor, "counselor_xlt")
    navigate(counsellor, "我的个案")
    counsellor.get_by_role("link", name=CASE).click()
    expect(counsellor.get_by_test_id("case-header")).to_contain_text(CASE)
    case_url = counsellor.url

    supervisor = tablet
    sign_in(supervisor, "supervisor_xlt")
    expect(supervisor.get_by_role("heading", name="负责人工作台")).to_be_visible()
    caseloads = supervisor.get_by_test_id("caseloads")
    expect(caseloads).to_contain_text("李静")
    expect(caseloads).to_contain_text("吴敏")
    key_screen(supervisor, "supervisor", "01-desk")

    # 陈杰 has a case here, and a namesake at 双台子: the search finds only this office's.
    navigate(supervisor, "本处个案")
    supervisor.get_by_label("个案编号、当事人全名或身份证号").fill("陈杰")
    supervisor.get_by_role("button", name="查找").click()
    results = supervisor.get_by_test_id("search-results")
    expect(results).to_contain_text(CASE)
    expect(results).not_to_contain_text("STZ-")
    key_screen(supervisor, "supervisor", "02-search")
    navigate(supervisor, "负责人工作台")
    caseloads.get_by_role("row").filter(has_text="李静").get_by_role(
        "link", name="移交个案"
    ).click()
    supervisor.get_by_label(CASE).check()
    supervisor.get_by_label("接手的同事").select_option(label="吴敏")
    supervisor.get_by_label("原因").fill("李静下周起休产假")
    key_screen(supervisor, "supervisor", "03-move-cases")
    supervisor.get_by_role("button", name="移交个案").click()
    expect_message(supervisor, "李静")
    expect_message(supervisor, "吴敏")

    refused = counsellor.reload()
    assert refused.status == HTTPStatus.NOT_FOUND
    expect(counsellor.get_by_role("heading", name="未找到")).to_be_visible()
    assert counsellor.url == case_url
    key_screen(counsellor, "supervisor", "04-refused-to-the-old-counsellor")

    case = Case.objects.get(number=CASE)
    assert list(
        case.assignments.filter(ended_at=None).values_list("counselor__username", flat=True)
    ) == ["counselor_xlt2"]
    assert AuditEvent.objects.filter(
        action="case.reassign", actor__username="supervisor_xlt"
    ).exists()
    assert supervisor.console_errors == []
