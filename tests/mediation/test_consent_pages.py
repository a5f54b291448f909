"""Consent through its pages: both parties on one page with the agreements first, repeats
that land on the record in force, withdrawal behind a confirmation, the finger signature sealed
and every view of it recorded, the printable form."""

import base64
import io
from datetime import timedelta
from http import HTTPStatus

from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from pypdf import PdfReader

from mediation import services
from mediation.models import AuditEvent, ConsentRecord, ConsentSignature, Purpose
from tests.factories import open_divorce_case


def consent_url(case):
    return reverse("mediation:case-consent", args=[case.uuid])


def signature_data_url() -> str:
    image = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 100), (80, 20), (150, 90), (290, 30)], fill="black", width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_page_shows_the_agreements_before_the_answers_for_both_parties(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    client.force_login(counselor)

    page = client.get(consent_url(case)).text

    agreement = page.index("婚姻家庭辅导保密协议")
    assert agreement < page.index('name="p1_counselling"') < page.index('name="p2_counselling"')
    assert "YS-2026.1" in page
    assert "向接收转介的机构" in page
    assert page.count('value="no"') == 10  # five purposes, two parties


def test_both_parties_answer_on_one_page_and_a_refusal_is_a_refusal(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    client.force_login(counselor)

    response = client.post(
        consent_url(case),
        {"p1_counselling": "yes", "p1_sensitive": "yes", "p2_counselling": "no"},
        follow=True,
    )

    first, second = case.parties.order_by("position")
    assert "同意已记录" in response.text
    assert first.consent_counselling
    assert first.consent_sensitive
    assert second.consents.get().action == ConsentRecord.Action.REFUSED
    assert "不同意" in response.text


def test_the_same_page_sent_twice_lands_on_the_records_with_a_note(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    client.force_login(counselor)
    data = {"p1_counselling": "yes", "p2_counselling": "yes"}
    client.post(consent_url(case), data)

    again = client.post(consent_url(case), data, follow=True)

    assert ConsentRecord.objects.filter(party__case=case).count() == 2
    assert "未重复记录" in again.text


def test_a_page_answered_with_nothing_says_so_and_records_nothing(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    client.force_login(counselor)

    response = client.post(consent_url(case), {})

    assert response.status_code == HTTPStatus.OK
    assert response.text.count("没有作出任何选择") == 1
    assert not ConsentRecord.objects.exists()


def test_an_impossible_answer_is_shown_next_to_it_and_nothing_is_saved(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    client.force_login(counselor)

    response = client.post(consent_url(case), {"p1_counselling": "no", "p1_statistics": "yes"})

    assert response.status_code == HTTPStatus.OK
    assert response.text.count("请先记录当事人同意接受辅导") == 1
    assert 'value="no" checked' in response.text
    assert not ConsentRecord.objects.exists()


def test_withdrawal_asks_first_and_lists_what_it_cancels(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    services.book_session(
        case=case,
        kind="joint",
        starts_at=timezone.now() + timedelta(days=3),
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
    )
    client.force_login(counselor)
    url = reverse("mediation:consent-withdraw", args=[case.uuid, 1, Purpose.COUNSELLING])

    asked = client.get(url)
    party = case.parties.get(position=1)
    assert party.consent_counselling
    withdrawn = client.post(url, follow=True)

    party.refresh_from_db()
    assert "敏感个人信息" in asked.text
    assert "取消" in asked.text
    assert "撤回已记录" in withdrawn.text
    assert not party.consent_counselling
    assert not party.consent_sensitive


def test_a_finger_signature_is_sealed_and_every_view_is_recorded(
    client, counselor, supervisor, other_counselor, xlt
):
    case = open_divorce_case(xlt, counselor)
    client.force_login(counselor)

    client.post(consent_url(case), {"p1_signature": signature_data_url()})

    signature = ConsentSignature.objects.get()
    assert signature.image_sealed is not None
    assert b"PNG" not in bytes(signature.image_sealed)
    assert signature.purposes == "counselling,sensitive,follow_up"
    url = reverse("mediation:signature-image", args=[case.uuid, signature.uuid])
    seen = client.get(url)
    client.force_login(supervisor)
    seen_by_supervisor = client.get(url)
    client.force_login(other_counselor)
    refused = client.get(url)

    assert seen.status_code == HTTPStatus.OK
    assert seen["Content-Type"] == "image/png"
    assert "no-store" in seen["Cache-Control"]
    assert seen.content.startswith(b"\x89PNG")
    assert seen_by_supervisor.status_code == HTTPStatus.OK
    assert refused.status_code == HTTPStatus.NOT_FOUND
    assert AuditEvent.objects.filter(action="signature.read", outcome="ok").count() == 2


def test_a_signature_that_is_not_a_png_is_refused_and_nothing_is_kept(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    client.force_login(counselor)
    fake = "data:image/png;base64," + base64.b64encode(b"<svg onload=alert(1)>").decode()

    response = client.post(consent_url(case), {"p1_signature": fake})

    assert "无法读取签名" in response.text
    assert not ConsentSignature.objects.exists()


def test_the_printed_consent_form_carries_the_agreements_parties_purposes_and_lines(
    client, counselor, xlt
):
    case = open_divorce_case(xlt, counselor)
    services.update_party(party=case.parties.get(position=1), updated_by=counselor, name="张示例")
    client.force_login(counselor)

    response = client.get(reverse("mediation:consent-print", args=[case.uuid]))

    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content).replace(" ", "")
    for expected in (
        "婚姻家庭辅导知情同意书",
        "婚姻家庭辅导保密协议",
        "BM-2021.1",
        "YS-2026.1",
        "张示例",
        "当事人2",
        "敏感个人信息",
        "签名",
        case.number,
    ):
        assert expected in text, expected
    event = AuditEvent.objects.get(action="document.print")
    assert event.details["document"] == "consent_form"
    assert event.office_code == "XLT"
    assert AuditEvent.objects.filter(action="party.identity.read", actor=counselor).exists()
