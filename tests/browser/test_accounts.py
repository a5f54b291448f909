"""Accounts and the second factor in the browser, at a tablet's size, in Chinese: a new
colleague's first sign-in, and the security administrator granting a role."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mediation import totp
from mediation.demo import seed_accounts
from mediation.models import AuditEvent, User
from mediation.services import accounts
from tests.browser.conftest import PORTRAIT_TABLET, browser_db, sign_in
from tests.browser.journey import key_screen, navigate

pytestmark = [pytest.mark.browser, browser_db]


def test_a_new_colleague_signs_in_sets_up_the_app_and_chooses_a_password(tablet, journey_clock):
    page = tablet
    seed_accounts()
    _account, password = accounts.create_account(
        actor=User.objects.get(username="sysadmin"),
        username="wangli",
        full_name="王丽",
        reason="新入职咨询师",
    )

    sign_in(page, "wangli", password=password)
    expect(page).to_have_url(re.compile("/sign-in/authenticator/"))
    expect(page.get_by_role("heading", name="设置身份验证器应用")).to_be_visible()
    expect(page.locator("svg.segno")).to_be_visible()
    key_screen(page, "counsellor", "00-first-sign-in-authenticator")
    seed = page.get_by_test_id("seed").inner_text().replace(" ", "")
    page.get_by_label("验证器应用当前显示的六位数字").fill(
        totp.code_at(seed, timezone.now().timestamp())
    )
    page.get_by_role("button", name="确认并继续").click()

    codes = page.get_by_test_id("backup-codes").inner_text()
    assert len(re.findall(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", codes)) == 10
    key_screen(page, "counsellor", "00-first-sign-in-backup-codes")
    page.get_by_role("link", name="我已保存，继续").click()

    expect(page).to_have_url(re.compile("/me/password/"))
    expect(page.locator("body")).to_contain_text("临时密码")
    key_screen(page, "counsellor", "00-first-sign-in-password")
    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password1").fill("Qiu-feng-2027-xyz")
    page.locator("#id_new_password2").fill("Qiu-feng-2027-xyz")
    page.get_by_role("button", name="修改密码").click()

    expect(page.get_by_role("heading", name="王丽，您好")).to_be_visible()
    expect(page.locator("body")).to_contain_text("您的账户尚无角色，请联系安全管理员分配")
    assert page.console_errors == []


def test_the_second_step_refuses_a_wrong_code_in_chinese(page):
    seed_accounts()
    page.goto("/login/")
    page.get_by_label("用户名").fill("fulian")
    page.get_by_label("密码").fill("tongxin-demo-2026")
    page.get_by_role("button", name="登录").click()

    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="继续").click()

    expect(page.locator("body")).to_contain_text("验证码不正确")
    expect(page.get_by_role("heading", name="登录第二步")).to_be_visible()
    page.goto("/mediation/today/")
    assert "/sign-in/code/" in page.url


def test_the_three_administrators_each_do_their_own_part(tablet, open_page, journey_clock):
    """The system administrator opens an account, the security administrator grants its role and
    office (the separation of the three is checked), the audit administrator reads both."""
    seed_accounts()
    page = tablet
    sign_in(page, "sysadmin")
    navigate(page, "账户")
    page.get_by_role("link", name="新建账户").click()
    page.get_by_label("账户名").fill("zhaoyun")
    page.get_by_label("姓名").fill("赵云")
    page.get_by_label("原因").fill("新入职咨询师")
    key_screen(page, "administrators", "05-new-account")
    page.get_by_role("button", name="创建账户").click()
    expect(page.get_by_test_id("temporary-password")).to_be_visible()
    key_screen(page, "administrators", "06-temporary-password")
    newcomer = User.objects.get(username="zhaoyun")

    page = open_page(PORTRAIT_TABLET)
    sign_in(page, "secadmin")
    navigate(page, "账户")
    expect(page.get_by_test_id("separation-check")).to_contain_text("没有账户违反三员分立")
    key_screen(page, "administrators", "07-accounts")
    page.get_by_role("link", name="zhaoyun").click()
    page.get_by_role("link", name="角色和登记处").click()
    page.get_by_label("咨询师 / 调解员").check()
    page.get_by_label("兴隆台区婚姻登记处").check()
    page.get_by_label("原因").fill("新入职咨询师，常驻兴隆台")
    key_screen(page, "administrators", "08-grants")
    page.get_by_role("button", name="保存角色和登记处").click()
    expect(page.locator("body")).to_contain_text("角色和登记处已保存")
    assert newcomer.groups.filter(name="counselor").exists()

    page = open_page(PORTRAIT_TABLET)
    sign_in(page, "auditadmin")
    navigate(page, "审计日志")
    trail = page.get_by_role("table")
    expect(trail).to_contain_text("account.role.grant")
    expect(trail).to_contain_text("sysadmin")
    key_screen(page, "administrators", "09-audit-trail")
    assert AuditEvent.objects.filter(
        action="account.role.grant", actor__username="secadmin"
    ).exists()
    assert page.console_errors == []
