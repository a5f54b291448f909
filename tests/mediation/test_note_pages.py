"""The note through its pages: the record form's sections, long text refused but kept, an
oversized request answered in Chinese, the autosave and the draft offered back after signing in
again."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse

from mediation import services
from mediation.models import NoteDraft
from tests.factories import held_session_with_note, open_divorce_case


@pytest.fixture
def held(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    session, note = held_session_with_note(case, counselor)
    return case, session, note


def note_url(case, session):
    return reverse("mediation:note-edit", args=[case.uuid, session.uuid])


def autosave_url(case, session):
    return reverse("mediation:note-autosave", args=[case.uuid, session.uuid])


def test_the_form_has_the_six_sections_of_the_record_form(client, counselor, held):
    case, session, _ = held
    client.force_login(counselor)

    page = client.get(note_url(case, session)).text

    for label in ("主要问题", "辅导方式", "辅导内容与过程", "当事人表示", "评估", "后续计划"):
        assert label in page
    assert "示例笔记：第一次面谈" in page  # an earlier note's text is its 辅导内容与过程
    assert "maxlength" not in page


def test_a_section_over_the_limit_comes_back_with_the_text_and_the_count(client, counselor, held):
    case, session, _ = held
    client.force_login(counselor)
    long_text = "长" * 20_001

    response = client.post(
        note_url(case, session), {"body": "示例", "plan": long_text, "version": 1}
    )

    assert response.status_code == HTTPStatus.OK
    assert response.text.count("本栏现有20001字") == 1
    assert long_text in response.text


def test_a_request_too_large_to_read_gets_a_chinese_413_page(client, counselor, held):
    case, session, _ = held
    client.force_login(counselor)

    response = client.post(note_url(case, session), {"body": "字" * 1_100_000, "version": 1})

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "一次提交的内容过多" in response.text
    assert "Bad Request" not in response.text


def test_the_autosave_answers_with_the_time_and_keeps_a_sealed_draft(client, counselor, held):
    case, session, _ = held
    client.force_login(counselor)

    response = client.post(
        autosave_url(case, session),
        {"body": "示例：正在输入", "version": 1},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == HTTPStatus.OK
    assert "已自动保存 10:00" in response.text
    assert NoteDraft.objects.get().base_version == 1


def test_an_autosave_over_the_limit_says_so_and_keeps_nothing(client, counselor, held):
    case, session, _ = held
    client.force_login(counselor)

    response = client.post(autosave_url(case, session), {"body": "长" * 20_001, "version": 1})

    assert "未自动保存" in response.text
    assert not NoteDraft.objects.exists()


def test_after_signing_in_again_the_draft_is_offered_and_back_in_the_form(
    client, counselor, held, time_machine
):
    case, session, note = held
    client.force_login(counselor)
    client.post(autosave_url(case, session), {"body": "示例：空闲前写的字", "version": 1})

    client.logout()
    time_machine.shift(timedelta(minutes=45))
    client.force_login(counselor)
    today = client.get(reverse("mediation:today"))
    form = client.get(note_url(case, session))

    assert "继续" in today.text
    assert case.number in today.text
    assert "示例：空闲前写的字" in form.text
    assert "自动保存的内容已恢复" in form.text
    assert form.context["form"].initial["version"] == note.version


def test_saving_the_note_discards_the_draft_and_the_start_page_stops_offering_it(
    client, counselor, held
):
    case, session, _ = held
    client.force_login(counselor)
    client.post(autosave_url(case, session), {"body": "示例：草稿", "version": 1})

    client.post(note_url(case, session), {"body": "示例：保存了", "version": 1})

    assert not NoteDraft.objects.exists()
    assert "继续" not in client.get(reverse("mediation:today")).text
    assert services.read_note(user=counselor, note=session.notes.get()).values["body"] == (
        "示例：保存了"
    )


def test_a_long_addendum_comes_back_on_the_session_page_with_its_text(client, counselor, held):
    case, session, note = held
    services.sign_note(note=note, signed_by=counselor)
    client.force_login(counselor)
    long_text = "补" * 20_001

    response = client.post(
        reverse("mediation:note-addendum", args=[case.uuid, session.uuid, note.uuid]),
        {"body": long_text},
    )

    assert response.status_code == HTTPStatus.OK
    assert long_text in response.text
    assert response.text.count("本栏现有20001字") == 1
