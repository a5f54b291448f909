"""Accounts in Tongxin's own pages: created with a temporary password the person replaces at
their first sign-in, deactivated with their sessions deleted, passwords reset with every
session ended, and each change in the audit trail with who, whom and why."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from mediation.models import AuditEvent, SignInSession, User
from mediation.roles import Role
from mediation.services import accounts, grants
from tests.factories import make_user
from tests.helpers import error_codes
from tests.sign_in import TongxinClient, enrol, next_code

TODAY = reverse("mediation:today")
HOME = reverse("home")
LIST = reverse("mediation:account-list")


def signed_in(user) -> TongxinClient:
    browser = TongxinClient()
    browser.force_login(user)
    return browser


def create(client, **fields):
    data = {"username": "lijing2", "full_name": "李静", "email": "", "reason": "新入职咨询师"}
    return client.post(reverse("mediation:account-create"), {**data, **fields})


def test_the_system_administrator_creates_an_account_with_a_temporary_password(client, sysadmin):
    client.force_login(sysadmin)

    response = create(client)

    password = re.search(r'data-testid="temporary-password">([^<]+)<', response.text).group(1)
    account = User.objects.get(username="lijing2")
    assert account.check_password(password)
    assert account.must_change_password
    assert not account.groups.exists()
    event = AuditEvent.objects.get(action="account.create")
    assert (event.actor, event.object_uuid, event.details["reason"]) == (
        sysadmin,
        str(account.pk),
        "新入职咨询师",
    )
    assert password not in str(event.details)
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_new_person_enrols_then_must_choose_a_password_before_any_other_page(
    client, sysadmin, secadmin, xlt
):
    account, password = accounts.create_account(
        actor=sysadmin, username="wangli", full_name="王丽", reason="新入职"
    )

    grants.set_roles_and_offices(
        actor=secadmin, account=account, roles=[Role.COUNSELOR], offices=[xlt], reason="入职"
    )
    client.post(reverse("login"), {"username": "wangli", "password": password})
    enrol(account)
    client.post(reverse("mediation:second-factor"), {"code": next_code(account)})

    held = client.get(TODAY)
    changed = client.post(
        reverse("mediation:password-change"),
        {
            "old_password": password,
            "new_password1": "Qiu-feng-2027-xyz",
            "new_password2": "Qiu-feng-2027-xyz",
        },
    )

    assert held["Location"].startswith(reverse("mediation:password-change"))
    assert changed.status_code == HTTPStatus.FOUND
    assert client.get(TODAY).status_code == HTTPStatus.OK
    account.refresh_from_db()
    assert not account.must_change_password
    assert AuditEvent.objects.filter(action="account.password.change", actor=account).exists()


def test_the_new_password_must_differ_from_the_temporary_one(client, sysadmin):
    account, password = accounts.create_account(
        actor=sysadmin, username="wangli", full_name="王丽", reason="新入职"
    )
    client.force_login(account)

    response = client.post(
        reverse("mediation:password-change"),
        {"old_password": password, "new_password1": password, "new_password2": password},
    )

    assert response.status_code == HTTPStatus.OK
    assert "不能与现用密码相同" in response.text


def test_an_expired_temporary_password_is_refused_at_sign_in(client, sysadmin):
    _account, password = accounts.create_account(
        actor=sysadmin, username="wangli", full_name="王丽", reason="新入职"
    )

    with time_machine.travel(timezone.now() + timedelta(days=4)):
        response = client.post(reverse("login"), {"username": "wangli", "password": password})

    assert response.status_code == HTTPStatus.OK
    assert "临时密码已过期" in response.text
    assert "_auth_user_id" not in client.session


def test_a_taken_account_name_is_refused_with_the_typed_text_kept(client, sysadmin, counselor):
    client.force_login(sysadmin)

    response = create(client, username=counselor.username)

    assert "该账户名已被使用" in response.text
    assert "李静" in response.text


def test_the_security_and_audit_administrators_cannot_create_accounts(client, secadmin, auditadmin):
    for user in (secadmin, auditadmin):
        client.force_login(user)
        assert create(client).status_code == HTTPStatus.NOT_FOUND
    with pytest.raises(PermissionDenied):
        accounts.create_account(actor=secadmin, username="x1x", full_name="x", reason="r")

    assert not User.objects.filter(username="lijing2").exists()
    assert AuditEvent.objects.filter(action="account.create", outcome="denied").count() == 3


def test_deactivating_deletes_every_session_so_reactivating_brings_none_back(sysadmin, counselor):
    tablet, desk = signed_in(counselor), signed_in(counselor)
    assert SignInSession.objects.filter(user=counselor).count() == 2

    accounts.deactivate_account(actor=sysadmin, account=counselor, reason="调离")
    assert SignInSession.objects.filter(user=counselor).count() == 0
    accounts.reactivate_account(actor=sysadmin, account=counselor, reason="调回")

    assert tablet.get(TODAY)["Location"].startswith("/login/")
    assert desk.get(TODAY)["Location"].startswith("/login/")
    actions = list(
        AuditEvent.objects.filter(actor=sysadmin).order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["account.deactivate", "account.reactivate"]


def test_nobody_deactivates_or_resets_their_own_account(sysadmin):
    for service in (accounts.deactivate_account, accounts.reset_password):
        with pytest.raises(ValidationError) as refused:
            service(actor=sysadmin, account=sysadmin, reason="试一试")
        assert "own_account" in error_codes(refused.value)

    sysadmin.refresh_from_db()
    assert sysadmin.is_active
    assert AuditEvent.objects.filter(actor=sysadmin, outcome="denied").count() == 2


def test_a_reason_is_required(sysadmin, counselor):
    with pytest.raises(ValidationError) as refused:
        accounts.deactivate_account(actor=sysadmin, account=counselor, reason="  ")

    assert "no_reason" in error_codes(refused.value)


def test_a_password_reset_forces_a_change_and_ends_every_session(client, sysadmin, counselor):
    tablet = signed_in(counselor)
    client.force_login(sysadmin)

    response = client.post(
        reverse("mediation:account-password-reset", args=[counselor.pk]), {"reason": "忘记密码"}
    )

    password = re.search(r'data-testid="temporary-password">([^<]+)<', response.text).group(1)
    counselor.refresh_from_db()
    assert counselor.check_password(password)
    assert counselor.must_change_password
    assert tablet.get(TODAY)["Location"].startswith("/login/")
    event = AuditEvent.objects.get(action="account.password.reset")
    assert (event.details["reason"], event.details["sessions_ended"]) == ("忘记密码", 1)


def test_changing_ones_own_password_ends_the_other_sessions_and_keeps_this_one(client, counselor):
    other = signed_in(counselor)
    client.force_login(counselor)

    response = client.post(
        reverse("mediation:password-change"),
        {
            "old_password": "tongxin-demo-2026",
            "new_password1": "Qiu-feng-2027-xyz",
            "new_password2": "Qiu-feng-2027-xyz",
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    assert client.get(TODAY).status_code == HTTPStatus.OK
    assert other.get(TODAY)["Location"].startswith("/login/")


def test_sign_out_everywhere_ends_every_session_this_one_too(client, counselor):
    other = signed_in(counselor)
    client.force_login(counselor)

    response = client.post(reverse("mediation:sign-out-everywhere"))

    assert response["Location"] == reverse("login")
    assert client.get(TODAY)["Location"].startswith("/login/")
    assert other.get(TODAY)["Location"].startswith("/login/")
    assert AuditEvent.objects.get(action="account.sessions.end").details["sessions_ended"] == 2


def test_the_account_list_filters_by_role_office_and_status_with_chinese_role_names(
    client, sysadmin, counselor, other_counselor, supervisor, ps
):
    User.objects.filter(pk=other_counselor.pk).update(is_active=False)
    client.force_login(sysadmin)

    everyone = client.get(LIST).text
    counsellors_at_ps = client.get(LIST, {"role": "counselor", "office": ps.pk}).text
    active = client.get(LIST, {"active": "1", "role": "counselor"}).text

    assert "咨询师 / 调解员" in everyone
    assert "登记处负责人" in everyone
    assert "系统管理员" in everyone
    assert "counselor<" not in everyone
    assert "supervisor<" not in everyone
    assert "c_ps" in counsellors_at_ps
    assert "c_xlt" not in counsellors_at_ps
    assert "c_xlt" in active
    assert "c_ps" not in active
    assert "pbkdf2" not in everyone
    assert "md5$" not in everyone


def test_the_account_list_costs_a_fixed_number_of_queries(
    client, sysadmin, xlt, django_assert_num_queries
):
    for n in range(12):
        make_user(Role.COUNSELOR, xlt, username=f"c{n:02d}")
    client.force_login(sysadmin)

    with django_assert_num_queries(15):  # 14, and the bell's unread count
        response = client.get(LIST)

    assert response.status_code == HTTPStatus.OK


def test_no_screen_edits_a_password_hash_or_the_last_sign_in(client, sysadmin, counselor):
    client.force_login(sysadmin)

    page = client.get(reverse("mediation:account-edit", args=[counselor.pk]))
    client.post(
        reverse("mediation:account-edit", args=[counselor.pk]),
        {
            "full_name": "李咨询二",
            "email": "",
            "password": "x",
            "last_login": "2020-01-01 00:00",
            "is_superuser": "on",
        },
    )

    counselor.refresh_from_db()
    assert set(page.context["form"].fields) == {"full_name", "email"}
    assert counselor.full_name == "李咨询二"
    assert counselor.check_password("tongxin-demo-2026")
    assert not counselor.is_superuser
    assert AuditEvent.objects.get(action="account.update").details["fields"] == ["full_name"]


def test_each_account_page_offers_only_the_actions_of_the_viewers_role(
    client, sysadmin, secadmin, counselor
):
    enrol(counselor)
    url = reverse("mediation:account-detail", args=[counselor.pk])

    client.force_login(sysadmin)
    system = client.get(url).text
    client.force_login(secadmin)
    security = client.get(url).text

    assert "重置密码" in system
    assert "停用" in system
    assert "角色和登记处" not in system
    assert "角色和登记处" in security
    assert "重置第二重验证" in security
    assert "重置密码" not in security
