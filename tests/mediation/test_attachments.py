"""Sealed attachments (mediation/services/attachments.py and their pages): PDF, JPEG or PNG up
to 10 MB, the type judged from the content, sealed, served with no-store and a recorded read;
a refused file leaves nothing behind."""

import io
from dataclasses import replace
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

from mediation import keyring, services
from mediation import keys as key_operations
from mediation.models import Attachment, AuditEvent, ConsentSignature, NoteDraft
from mediation.services.attachments import MAX_BYTES
from tests.conftest import TEST_RING
from tests.factories import held_session_with_note, open_divorce_case
from tests.helpers import error_codes
from tests.mediation.test_consent_pages import signature_data_url


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format=kind)
    return buffer.getvalue()


@pytest.fixture
def case(counselor, xlt):
    return open_divorce_case(xlt, counselor)


def attach(case, counselor, data, name="扫描件.pdf"):
    return services.attach_file(
        case=case, data=data, filename=name, kind="signed_form", uploaded_by=counselor
    )


@pytest.mark.parametrize(
    ("make", "media_type"),
    [
        (pdf_bytes, "application/pdf"),
        (lambda: image_bytes("JPEG"), "image/jpeg"),
        (lambda: image_bytes("PNG"), "image/png"),
    ],
    ids=["pdf", "jpeg", "png"],
)
def test_pdf_jpeg_and_png_are_kept_sealed_with_the_type_from_their_content(
    case, counselor, make, media_type
):
    data = make()

    attachment = attach(case, counselor, data, name="whatever.txt")

    stored = Attachment.objects.get(pk=attachment.pk)
    assert stored.content_type == media_type
    assert stored.size == len(data)
    assert data[:8] not in bytes(stored.content_sealed)
    assert b"whatever" not in bytes(stored.filename_sealed)


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00 this is a program renamed to .pdf",
        b"%PDF-1.7 but cut off before its end",
        b"\xff\xd8\xff\xe0 a JPEG header and nothing else",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    ],
    ids=["program", "truncated-pdf", "truncated-jpeg", "svg"],
)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_stored(case, counselor, data):
    with pytest.raises(ValidationError) as error:
        attach(case, counselor, data, name="同意书.pdf")

    assert error_codes(error.value) == {"file_type"}
    assert "PDF、JPEG或PNG" in error.value.messages[0]
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(action="attachment.add").exists()


def test_a_file_over_ten_megabytes_is_refused(case, counselor):
    data = b"%PDF-1.4\n" + b"0" * MAX_BYTES + b"\n%%EOF"

    with pytest.raises(ValidationError) as error:
        attach(case, counselor, data)

    assert error_codes(error.value) == {"too_large"}
    assert not Attachment.objects.exists()


def test_only_the_cases_counsellors_attach(case, other_counselor):
    with pytest.raises(ValidationError) as error:
        attach(case, other_counselor, pdf_bytes())

    assert error_codes(error.value) == {"not_assigned"}


def test_attaching_through_the_page_and_downloading_it_no_store_and_recorded(
    client, case, counselor, supervisor, other_counselor
):
    data = image_bytes("PNG")
    client.force_login(counselor)

    client.post(
        reverse("mediation:attachment-new", args=[case.uuid]),
        {"kind": "referral_reply", "party": "1", "file": SimpleUploadedFile("回函.png", data)},
    )
    attachment = Attachment.objects.get()
    url = reverse("mediation:attachment-download", args=[case.uuid, attachment.uuid])
    downloaded = client.get(url)
    client.force_login(supervisor)
    by_supervisor = client.get(url)
    client.force_login(other_counselor)
    refused = client.get(url)

    assert attachment.party.position == 1
    assert attachment.kind == "referral_reply"
    assert downloaded.status_code == HTTPStatus.OK
    assert downloaded.content == data
    assert downloaded["Content-Type"] == "image/png"
    assert "no-store" in downloaded["Cache-Control"]
    assert downloaded["Content-Disposition"].startswith("attachment")
    assert "回函" not in downloaded["Content-Disposition"]
    assert by_supervisor.status_code == HTTPStatus.OK
    assert refused.status_code == HTTPStatus.NOT_FOUND
    assert AuditEvent.objects.filter(action="attachment.read", outcome="ok").count() == 2


def test_a_wrong_file_through_the_page_says_why_in_chinese(client, case, counselor):
    client.force_login(counselor)

    response = client.post(
        reverse("mediation:attachment-new", args=[case.uuid]),
        {"kind": "signed_form", "file": SimpleUploadedFile("同意书.pdf", b"just text")},
    )

    assert response.status_code == HTTPStatus.OK
    assert response.text.count("只能附加PDF、JPEG或PNG文件") == 1
    assert not Attachment.objects.exists()


def test_an_oversized_upload_is_stopped_with_a_chinese_message(client, case, counselor):
    client.force_login(counselor)
    big = b"%PDF-1.4\n" + b"0" * (MAX_BYTES + 1024)

    response = client.post(
        reverse("mediation:attachment-new", args=[case.uuid]),
        {"kind": "signed_form", "file": SimpleUploadedFile("大文件.pdf", big)},
    )

    assert response.status_code == HTTPStatus.OK
    assert response.text.count("请降低扫描分辨率") == 1
    assert not Attachment.objects.exists()


def test_attachments_signatures_and_drafts_survive_key_rotation_and_resealing(case, counselor):
    data = pdf_bytes()
    attachment = attach(case, counselor, data)
    services.record_signature(
        party=case.parties.first(), image=signature_data_url(), recorded_by=counselor
    )
    session, _ = held_session_with_note(case, counselor)
    services.save_draft(
        session=session, author=counselor, sections={"body": "示例：草稿"}, base_version=1
    )
    ring = replace(
        TEST_RING, keys={**TEST_RING.keys, "test-b": bytes(range(64, 96))}, active_id="test-b"
    )
    keyring.use(ring)
    try:
        key_operations.rotate()
        key_operations.reseal()
        attachment = Attachment.objects.get(pk=attachment.pk)  # no cached data key
        opened, content = services.read_attachment(user=counselor, attachment=attachment)
        signature = ConsentSignature.objects.get()
        _, png = services.read_signature(user=counselor, signature=signature)
        draft = NoteDraft.objects.get()
        body = services.read_draft(user=counselor, draft=draft).values["body"]
    finally:
        keyring.use(TEST_RING)

    assert attachment.key_id == "test-b"
    assert signature.key_id == "test-b"
    assert opened.ok
    assert content == data
    assert png.startswith(b"\x89PNG")
    assert body == "示例：草稿"
