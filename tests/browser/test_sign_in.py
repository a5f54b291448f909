import re

import pytest
from playwright.sync_api import expect

from mediation.demo import seed_accounts
from tests.browser.conftest import LOCALE, browser_db, sign_in

pytestmark = [pytest.mark.browser, browser_db]

EXPECTED_NAVIGATION = {
    "counselor_xlt": {
        "role": "咨询师 / 调解员",
        "must": ["今日", "我的个案", "我的排班"],
        "never": ["本处个案", "统计", "审计日志", "账户", "官方日历", "轮值排班"],
    },
    "counselor_ps": {
        "role": "咨询师 / 调解员",
        "must": ["今日", "我的个案", "我的排班"],
        "never": ["本处个案", "统计", "审计日志", "账户"],
    },
    "supervisor_dw": {
        "role": "登记处负责人",
        "must": ["本处个案", "我的排班"],
        "never": ["我的个案", "统计", "审计日志", "账户"],
    },
    "minzheng": {
        "role": "民政局管理员",
        "must": ["轮值排班", "统计", "月度报告", "官方日历"],
        "never": ["今日", "我的个案", "本处个案", "审计日志", "账户"],
    },
    "fulian": {
        "role": "妇联管理员",
        "must": ["统计", "月度报告"],
        "never": ["今日", "我的个案", "本处个案", "轮值排班", "官方日历", "审计日志", "账户"],
    },
    "sysadmin": {
        "role": "系统管理员",
        "must": ["官方日历", "账户"],
        "never": ["今日", "我的个案", "本处个案", "统计", "轮值排班", "审计日志"],
    },
    "secadmin": {
        "role": "安全管理员",
        "must": ["账户"],
        "never": ["今日", "我的个案", "本处个案", "统计", "轮值排班", "审计日志", "官方日历"],
    },
    "auditadmin": {
        "role": "审计管理员",
        "must": ["审计日志"],
        "never": ["今日", "我的个案", "本处个案", "统计", "轮值排班", "官方日历", "账户"],
    },
}


def test_login_page_is_in_chinese(page):
    page.goto("/")

    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    assert page.console_errors == []


def test_the_browser_asks_for_chinese_and_the_page_says_it_is(page):
    page.goto("/login/")

    assert page.evaluate("navigator.language") == LOCALE == "zh-CN"
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


@pytest.mark.parametrize("username", sorted(EXPECTED_NAVIGATION))
def test_every_demo_account_signs_in_and_sees_its_own_navigation(page, username):
    seed_accounts()

    sign_in(page, username)

    navigation = page.get_by_role("navigation", name="主导航")
    expect(navigation).to_contain_text(EXPECTED_NAVIGATION[username]["role"])
    for label in EXPECTED_NAVIGATION[username]["must"]:
        expect(navigation).to_contain_text(label)
    for label in EXPECTED_NAVIGATION[username]["never"]:
        expect(navigation).not_to_contain_text(label)
    assert page.console_errors == []


def test_wrong_password_is_refused_with_a_chinese_message(page):
    seed_accounts()

    sign_in(page, "counselor_xlt", password="not-the-password")

    login = page.locator("form", has=page.get_by_role("button", name="登录"))
    expect(login).to_contain_text("请输入一个正确的")
    expect(page).to_have_url(re.compile(r"/login/$"))
