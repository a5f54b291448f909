"""A counsellor types a note on the tablet, the session ends after the idle timeout, they sign
in again and the text is there (issue 11, acceptance)."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from mediation.demo import seed_accounts
from mediation.models import NoteDraft, User
from tests.browser.conftest import browser_db, sign_in
from tests.factories import held_session_with_note, office, open_divorce_case
from tests.sign_in import next_code

pytestmark = [pytest.mark.browser, browser_db]

TYPED = "示例：当事人表示愿意为孩子再试一次，约定每周一次家庭会议。"


def sign_in_again(page, user) -> None:
    """The sign-in page the expired session led to, with its way back to the note: the
    password, then the authenticator's code."""
    expect(page.get_by_label("用户名")).to_be_visible()
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill("tongxin-demo-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if "/sign-in/code/" in page.url:
        page.get_by_label("验证码").fill(next_code(user))
        page.get_by_role("button", name="继续").click()
        page.wait_for_load_state()


def expire_every_session() -> None:
    """What 30 idle minutes do on the server: the session row is past its expiry (in the
    project's own session table, whichever SESSION_ENGINE names)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    store.get_model_class().objects.update(expire_date=timezone.now() - timedelta(seconds=1))


def test_a_note_typed_before_an_idle_sign_out_is_back_after_signing_in(page):
    seed_accounts()
    counselor = User.objects.get(username="counselor_xlt")
    case = open_divorce_case(office("XLT"), counselor)
    session, _note = held_session_with_note(case, counselor)
    sign_in(page, "counselor_xlt")
    page.goto(f"/mediation/cases/{case.uuid}/sessions/{session.uuid}/note/")

    page.get_by_label("当事人表示").fill(TYPED)
    page.get_by_label("后续计划").click()  # leaving the box saves it
    expect(page.get_by_test_id("autosave-status")).to_contain_text("已自动保存")
    assert NoteDraft.objects.filter(author=counselor).exists()

    expire_every_session()
    page.get_by_label("后续计划").fill("示例：签出后输入")
    page.get_by_label("主要问题").click()
    expect(page.locator("#autosave-status")).to_contain_text("已自动退出登录")

    page.reload()
    sign_in_again(page, counselor)

    expect(page.get_by_label("当事人表示")).to_have_value(TYPED)
    expect(page.get_by_text("自动保存的内容已恢复")).to_be_visible()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("note")).to_contain_text(TYPED)
    assert not NoteDraft.objects.exists()
    assert page.console_errors == []


def test_a_section_over_the_limit_is_stopped_in_the_browser_and_nothing_is_lost(page):
    seed_accounts()
    counselor = User.objects.get(username="counselor_xlt")
    case = open_divorce_case(office("XLT"), counselor)
    session, _note = held_session_with_note(case, counselor)
    sign_in(page, "counselor_xlt")
    page.goto(f"/mediation/cases/{case.uuid}/sessions/{session.uuid}/note/")
    long_text = "长" * 20_001

    page.get_by_label("后续计划").fill(long_text)
    expect(page.get_by_text("20001 / 20000字")).to_be_visible()
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_test_id("note-form-problem")).to_contain_text("超过20000字")
    expect(page.get_by_label("后续计划")).to_have_value(long_text)
