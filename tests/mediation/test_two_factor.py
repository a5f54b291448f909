"""Two-factor sign-in (SECURITY.md, 'Administrators and sign-in'): a correct password alone
reaches nothing but the second step; codes are single-use, locked out after repeated failures;
the seed is sealed and backup codes are stored hashed."""

import re
from datetime import datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from mediation import totp
from mediation.models import AuditEvent, BackupCode, SignInSession, TotpDevice
from mediation.services import two_factor
from tests.helpers import error_codes
from tests.sign_in import TongxinClient, enrol, next_code, sign_in

NOW = timezone.make_aware(datetime(2026, 10, 12, 9, 0, 5))
TODAY = reverse("mediation:today")
CODE_PAGE = reverse("mediation:second-factor")
ENROL_PAGE = reverse("mediation:second-factor-enrol")


@pytest.fixture(autouse=True)
def fixed_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def password_only(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": "tongxin-demo-2026"}
    )
    assert response.status_code == HTTPStatus.FOUND
    return response


def test_a_correct_password_without_the_second_factor_never_reaches_the_today_page(
    client, counselor
):
    enrol(counselor)
    password_only(client, counselor)

    response = client.get(TODAY)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{CODE_PAGE}?next={TODAY.replace('/', '%2F')}"
    assert client.get(CODE_PAGE).status_code == HTTPStatus.OK


def test_the_code_from_the_app_opens_the_page_asked_for(client, counselor):
    enrol(counselor)
    password_only(client, counselor)

    response = client.post(CODE_PAGE + f"?next={TODAY}", {"code": next_code(counselor)})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == TODAY
    assert client.get(TODAY).status_code == HTTPStatus.OK
    assert AuditEvent.objects.filter(
        actor=counselor, action="auth.second_factor", outcome="ok"
    ).exists()


def test_a_used_totp_code_is_refused_the_second_time(counselor):
    enrol(counselor)
    code = next_code(counselor)

    two_factor.verify(user=counselor, code=code)
    with pytest.raises(ValidationError) as refused:
        two_factor.verify(user=counselor, code=code)

    assert "used_code" in error_codes(refused.value)


def test_a_used_code_is_refused_on_the_page_too(counselor):
    enrol(counselor)
    code = next_code(counselor)
    first, second = TongxinClient(), TongxinClient()
    password_only(first, counselor)
    password_only(second, counselor)

    assert first.post(CODE_PAGE, {"code": code}).status_code == HTTPStatus.FOUND
    replay = second.post(CODE_PAGE, {"code": code})

    assert replay.status_code == HTTPStatus.OK
    assert "这个验证码已经用过了" in replay.text
    assert second.get(TODAY).status_code == HTTPStatus.FOUND


def test_the_next_steps_code_and_a_phone_a_step_behind_are_accepted(counselor, fixed_time):
    seed = totp.demo_seed(counselor.username)
    enrol(counselor, seed)
    now = totp.step_at(NOW.timestamp())

    two_factor.verify(user=counselor, code=totp.code_at_step(seed, now - 1))
    two_factor.verify(user=counselor, code=totp.code_at_step(seed, now + 1))
    with pytest.raises(ValidationError) as too_far:
        two_factor.verify(user=counselor, code=totp.code_at_step(seed, now + 3))

    assert "wrong_code" in error_codes(too_far.value)


def test_full_width_digits_from_a_chinese_input_method_are_read(counselor):
    enrol(counselor)
    wide = "".join(chr(ord(d) + 0xFEE0) for d in next_code(counselor))

    assert two_factor.verify(user=counselor, code=f" {wide} ").method == "totp"


def test_five_wrong_codes_lock_the_second_step_like_passwords(counselor, fixed_time):
    enrol(counselor)
    for _attempt in range(4):
        with pytest.raises(ValidationError) as wrong:
            two_factor.verify(user=counselor, code="000000")
        assert "wrong_code" in error_codes(wrong.value)
    with pytest.raises(ValidationError) as fifth:
        two_factor.verify(user=counselor, code="000000")
    right = next_code(counselor)
    with pytest.raises(ValidationError) as locked:
        two_factor.verify(user=counselor, code=right)

    assert error_codes(fifth.value) == error_codes(locked.value) == {"locked"}
    assert (
        AuditEvent.objects.filter(actor=counselor, action="auth.second_factor.lockout").count() == 1
    )
    fixed_time.shift(timedelta(minutes=16))
    assert two_factor.verify(user=counselor, code=next_code(counselor)).method == "totp"


def test_the_page_says_how_many_tries_are_left(client, counselor):
    enrol(counselor)
    password_only(client, counselor)

    response = client.post(
        CODE_PAGE, {"code": "123456" if next_code(counselor) != "123456" else "654321"}
    )

    assert "验证码不正确" in response.text
    assert "再输错 4 次" in response.text


def test_the_seed_is_sealed_and_never_stored_plain(counselor):
    seed = totp.demo_seed(counselor.username)
    device = enrol(counselor, seed)

    stored = bytes(TotpDevice.objects.get(pk=device.pk).seed_sealed)

    assert seed.encode() not in stored
    assert totp.seed_bytes(seed) not in stored
    assert device.key_id == "test-a"


def test_backup_codes_are_stored_hashed_and_each_works_once(counselor):
    enrol(counselor)
    codes = two_factor._replace_backup_codes(TotpDevice.objects.get(user=counselor))

    digests = list(BackupCode.objects.values_list("digest", flat=True))
    assert len(codes) == len(digests) == 10
    assert not any(totp.normalise_code(code) in digest for code in codes for digest in digests)

    verified = two_factor.verify(user=counselor, code=codes[3].upper())
    with pytest.raises(ValidationError) as again:
        two_factor.verify(user=counselor, code=codes[3])

    assert (verified.method, verified.backup_codes_left) == ("backup_code", 9)
    assert "wrong_code" in error_codes(again.value)


def test_the_first_sign_in_enrols_the_authenticator_by_qr_code_and_shows_ten_backup_codes(
    client, counselor
):
    password_only(client, counselor)

    assert client.get(TODAY)["Location"].startswith(ENROL_PAGE)
    page = client.get(ENROL_PAGE + f"?next={TODAY}")
    seed = re.search(r'data-testid="seed">([A-Z2-7 ]+)<', page.text).group(1)
    confirmed = client.post(
        ENROL_PAGE, {"code": totp.code_at(seed, NOW.timestamp()), "next": TODAY}
    )

    assert "<svg" in page.text
    assert "身份验证器" in page.text
    assert "http" not in page.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert confirmed.status_code == HTTPStatus.OK
    assert (
        len(re.findall(r"<code>[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}</code>", confirmed.text)) == 10
    )
    assert client.get(TODAY).status_code == HTTPStatus.OK
    assert TotpDevice.objects.get(user=counselor).confirmed


def test_reloading_the_enrolment_page_keeps_the_same_seed_until_confirmed(client, counselor):
    password_only(client, counselor)

    first = re.search(r'data-testid="seed">([^<]+)<', client.get(ENROL_PAGE).text).group(1)
    second = re.search(r'data-testid="seed">([^<]+)<', client.get(ENROL_PAGE).text).group(1)

    assert first == second
    assert TotpDevice.objects.filter(user=counselor).count() == 1


def test_an_enrolled_user_cannot_enrol_again_or_see_the_seed(client, counselor):
    client.force_login(counselor)

    response = client.get(ENROL_PAGE)

    assert response.status_code == HTTPStatus.FOUND
    with pytest.raises(ValidationError) as refused:
        two_factor.begin_enrolment(user=counselor)
    assert "already_enrolled" in error_codes(refused.value)


def test_signing_in_marks_the_session_with_its_user_and_a_new_key(client, counselor):
    enrol(counselor)
    password_only(client, counselor)
    before = client.cookies["sessionid"].value

    client.post(CODE_PAGE, {"code": next_code(counselor)})

    after = client.cookies["sessionid"].value
    assert before != after
    assert not SignInSession.objects.filter(session_key=before).exists()
    assert SignInSession.objects.get(session_key=after).user == counselor


def test_the_whole_sign_in_works_for_every_test_helper_too(client, counselor):
    response = sign_in(client, counselor.username)

    assert response.status_code == HTTPStatus.FOUND
    assert client.get(TODAY).status_code == HTTPStatus.OK


def test_force_login_can_stop_before_the_second_factor(client, counselor):
    client.force_login(counselor, verified=False)

    assert client.get(TODAY).status_code == HTTPStatus.FOUND


def test_the_security_administrator_resets_a_lost_phone(client, counselor, secadmin):
    enrol(counselor)
    elsewhere = TongxinClient()
    elsewhere.force_login(counselor)

    two_factor.reset_second_factor(actor=secadmin, account=counselor, reason="手机丢失")

    assert not TotpDevice.objects.filter(user=counselor).exists()
    assert elsewhere.get(TODAY)["Location"].startswith("/login/")
    event = AuditEvent.objects.get(action="two_factor.reset")
    assert (event.actor, event.details["reason"], event.details["account"]) == (
        secadmin,
        "手机丢失",
        counselor.username,
    )
    password_only(client, counselor)
    assert client.get(TODAY)["Location"].startswith(ENROL_PAGE)


def test_nobody_resets_their_own_second_factor(secadmin):
    enrol(secadmin)

    with pytest.raises(ValidationError) as refused:
        two_factor.reset_second_factor(actor=secadmin, account=secadmin, reason="换手机")

    assert "own_account" in error_codes(refused.value)
    assert TotpDevice.objects.filter(user=secadmin).exists()
    assert AuditEvent.objects.filter(
        action="two_factor.reset", outcome="denied", actor=secadmin
    ).exists()


def test_the_reset_page_is_the_security_administrators(client, counselor, sysadmin, secadmin):
    enrol(counselor)
    url = reverse("mediation:account-second-factor-reset", args=[counselor.pk])

    client.force_login(sysadmin)
    refused = client.post(url, {"reason": "试一试"})
    client.force_login(secadmin)
    done = client.post(url, {"reason": "手机丢失"})

    assert refused.status_code == HTTPStatus.NOT_FOUND
    assert done.status_code == HTTPStatus.FOUND
    assert not TotpDevice.objects.filter(user=counselor).exists()


def test_the_development_code_command_refuses_in_production(counselor, capsys):
    enrol(counselor)

    with override_settings(DEBUG=False), pytest.raises(CommandError):
        call_command("totp_code", counselor.username)
    with override_settings(DEBUG=True):
        call_command("totp_code", counselor.username)

    assert capsys.readouterr().out.strip() == next_code(counselor)


def test_the_readme_lists_the_keys_seed_demo_gives_the_demo_accounts():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `(\w+)` \|[^|]+\| `([A-Z2-7]{32})` \|$", readme, re.MULTILINE))

    assert len(listed) == 8
    assert all(totp.demo_seed(username) == seed for username, seed in listed.items())


def test_tries_while_locked_are_recorded_too(counselor):
    enrol(counselor)
    for _attempt in range(5):
        with pytest.raises(ValidationError):
            two_factor.verify(user=counselor, code="000000")

    with pytest.raises(ValidationError):
        two_factor.verify(user=counselor, code=next_code(counselor))

    assert (
        AuditEvent.objects.filter(
            actor=counselor, action="auth.second_factor", details__refused="locked"
        ).count()
        == 1
    )
