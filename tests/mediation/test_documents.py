"""Case documents as PDFs (mediation/services/documents.py): each one's text read back with
pypdf, only what the reader may see and the party agreed to share, each print recorded, served
with no-store; and the timeline on the case page, which holds no sealed text."""

import io
from datetime import date
from http import HTTPStatus

import pytest
from django.urls import reverse
from pypdf import PdfReader

from mediation import services
from mediation.models import AuditEvent, OutcomeKind, Purpose, Referral
from tests.factories import held_session_with_note, open_divorce_case

NAME, SPOUSE = "欧阳示例", "司马示例"
PHONE = "13800000000"
NOTE = "示例笔记：双方愿意为孩子再试一次"
REASON = "示例原因：需要法律咨询"


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return text.replace(" ", "").replace("\n", "")


@pytest.fixture
def case(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    first, second = case.parties.order_by("position")
    services.update_party(
        party=first, updated_by=counselor, name=NAME, phone=PHONE, sex="F", education="college"
    )
    services.update_party(party=second, updated_by=counselor, name=SPOUSE, sex="M")
    session, note = held_session_with_note(case, counselor, body=NOTE)
    services.save_note(
        session=session,
        author=counselor,
        problem="示例：沟通困难",
        body=NOTE,
        plan="示例：两周后再谈",
        expected_version=1,
    )
    services.sign_note(note=note, signed_by=counselor)
    services.record_result(
        case=case, result="reconcile", result_on=date(2026, 9, 20), recorded_by=counselor
    )
    return case


def get_pdf(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    return pdf_text(response.content)


def test_the_record_form_is_the_mz_t_084_form_with_the_signed_note(client, counselor, case):
    client.force_login(counselor)

    text = get_pdf(client, reverse("mediation:record-form-print", args=[case.uuid]))

    for expected in (
        "婚姻家庭辅导记录表",
        NAME,
        SPOUSE,
        PHONE,
        "■婚姻关系",
        "□婚前辅导",
        "主要问题",
        "示例：沟通困难",
        "辅导内容与过程",
        NOTE,
        "后续计划",
        "■表示和好",
        "□选择离婚",
        "满意度",
        "李咨询",
    ):
        assert expected in text, expected
    event = AuditEvent.objects.get(action="document.print")
    assert event.details == {"document": "record_form", "pages": event.details["pages"]}
    assert AuditEvent.objects.filter(action="note.read", actor=counselor).exists()


def test_the_supervisor_cannot_print_a_document_with_notes(client, supervisor, case):
    client.force_login(supervisor)

    response = client.get(reverse("mediation:record-form-print", args=[case.uuid]))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not AuditEvent.objects.filter(action="document.print").exists()


def refer(case, counselor, party=None):
    return services.refer(
        case=case,
        party=party,
        destination=Referral.Destination.LEGAL_AID,
        reason=REASON,
        referred_on=date(2026, 9, 21),
        referred_by=counselor,
    )


def test_a_referral_letter_without_sharing_consent_carries_no_personal_details(
    client, counselor, case
):
    referral = refer(case, counselor, party=case.parties.get(position=1))
    client.force_login(counselor)

    text = get_pdf(
        client, reverse("mediation:referral-letter-print", args=[case.uuid, referral.pk])
    )

    assert "转介函" in text
    assert "法律援助" in text
    assert NAME not in text
    assert PHONE not in text
    assert REASON not in text
    assert "未同意" in text
    assert not AuditEvent.objects.filter(action="referral.read").exists()


def test_a_referral_letter_carries_what_the_party_agreed_to_share(client, counselor, case):
    first = case.parties.get(position=1)
    services.record_consent(
        case=case, party=first, purpose=Purpose.REFERRAL, given=True, recorded_by=counselor
    )
    referral = refer(case, counselor, party=first)
    client.force_login(counselor)

    text = get_pdf(
        client, reverse("mediation:referral-letter-print", args=[case.uuid, referral.pk])
    )

    assert NAME in text
    assert PHONE in text
    assert REASON in text
    assert SPOUSE not in text
    event = AuditEvent.objects.get(action="document.print")
    assert event.object_uuid == str(referral.uuid)
    assert event.office_code == "XLT"


def test_a_couples_referral_letter_names_only_the_party_who_agreed(client, counselor, case):
    first = case.parties.get(position=1)
    services.record_consent(
        case=case, party=first, purpose=Purpose.REFERRAL, given=True, recorded_by=counselor
    )
    referral = refer(case, counselor)
    client.force_login(counselor)

    text = get_pdf(
        client, reverse("mediation:referral-letter-print", args=[case.uuid, referral.pk])
    )

    assert NAME in text
    assert SPOUSE not in text
    assert REASON not in text  # not every party it concerns agreed to share
    assert "当事人2未同意" in text


def test_the_case_summary_fits_one_page_and_holds_no_note_or_reason(client, counselor, case):
    refer(case, counselor)
    client.force_login(counselor)

    response = client.get(reverse("mediation:case-summary-print", args=[case.uuid]))

    text = pdf_text(response.content)
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    assert "个案摘要" in text
    assert NAME in text
    assert "表示和好" in text
    assert "法律援助" in text
    assert NOTE not in text
    assert REASON not in text
    assert "沟通困难" not in text


def test_the_timeline_tells_the_case_newest_first_without_sealed_text(
    client, counselor, case, time_machine
):
    refer(case, counselor)
    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 9, 25), recorded_by=counselor
    )
    time_machine.shift(60)
    client.force_login(counselor)
    client.get(reverse("mediation:case-summary-print", args=[case.uuid]))

    page = client.get(reverse("mediation:case-detail", args=[case.uuid]))

    entries = [entry.what for entry in page.context["timeline"]]
    assert entries[0] == "已打印个案摘要"
    assert "个案建档" in entries
    for expected in ("当事人1同意：接受辅导", "面谈记录已签署", "辅导结果：表示和好"):
        assert expected in entries
    assert any(entry.startswith("登记结果：和好") for entry in entries)
    timeline = page.text[page.text.index('data-testid="timeline"') :]
    timeline = timeline[: timeline.index("</section>")]
    for sealed in (NAME, SPOUSE, PHONE, NOTE, REASON, "沟通困难"):
        assert sealed not in timeline
