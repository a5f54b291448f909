"""A person's rights (PIPL arts. 44-47): finding them by ID number, their copy, corrections,
deletion by crypto-shredding, the legal hold, the grace period after a withdrawn consent, the
retention purge and the privacy register."""

import io
import json
from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from mediation import sealing, services
from mediation.models import (
    AuditEvent,
    Case,
    ContactPreference,
    Party,
    PersonRequest,
    PrivacyDocument,
    Purpose,
    SafetyScreen,
    SessionNote,
)
from mediation.roles import Role
from mediation.services import erasure, person_requests, retention
from mediation.services.contact import set_contact_preferences
from reports import queries
from tests.factories import held_session_with_note, make_user, open_divorce_case
from tests.helpers import error_codes

WIFE_ID = "11010519491231002X"
HUSBAND_ID = "210102198001010029"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def couple(office, counselor, when=None):
    """A divorce case with both parties recorded and screened, a held joint session with a note."""
    case = open_divorce_case(office, counselor)
    wife, husband = case.parties.order_by("position")
    services.update_party(
        party=wife,
        updated_by=counselor,
        name="张秘密",
        id_number=WIFE_ID,
        phone="13800001111",
        sex="F",
        education="college",
        occupation="教师",
    )
    services.update_party(
        party=husband,
        updated_by=counselor,
        name="李某某",
        id_number=HUSBAND_ID,
        phone="13900002222",
        sex="M",
        education="senior",
    )
    held_session_with_note(case, counselor, body="联合会谈：双方愿意再谈", when=when)
    answers = dict.fromkeys(services.SCREEN_QUESTIONS, False)
    services.screen_party(party=wife, answers={**answers, "afraid": True}, screened_by=counselor)
    services.screen_party(party=husband, answers=answers, screened_by=counselor)
    wife.refresh_from_db()
    husband.refresh_from_db()
    return case, wife, husband


def test_a_supervisor_finds_a_person_by_id_number_in_the_offices_cases_only(
    supervisor, counselor, other_counselor, xlt, ps
):
    _case, wife, _ = couple(xlt, counselor)
    couple(ps, other_counselor)  # the same people at another office, not this supervisor's

    found = person_requests.find_person(user=supervisor, id_number=WIFE_ID.lower())

    assert found == [wife]
    event = AuditEvent.objects.get(action="person.find")
    assert event.details == {"found": 1}
    assert WIFE_ID not in json.dumps(event.details)


def test_the_search_posts_the_id_number_and_links_by_record_not_number(
    client, supervisor, counselor, xlt
):
    _case, wife, _ = couple(xlt, counselor)
    client.force_login(supervisor)

    page = client.post(reverse("mediation:person-find"), {"id_number": WIFE_ID}).text

    assert reverse("mediation:person-detail", args=[wife.uuid]) in page
    assert WIFE_ID not in page
    assert (
        client.get(reverse("mediation:person-find"), {"id_number": WIFE_ID}).text.count(
            "person-detail"
        )
        == 0
    )


def test_a_copy_holds_the_persons_data_and_not_the_other_spouses(supervisor, counselor, xlt):
    _case, wife, _husband = couple(xlt, counselor)

    _, raw = person_requests.person_copy(party=wife, user=supervisor, fmt="json")
    _, pdf = person_requests.person_copy(party=wife, user=supervisor, fmt="pdf")

    data = json.loads(raw)
    assert data["identity"]["name"] == "张秘密"
    assert data["identity"]["id_number"] == WIFE_ID
    assert {"question": "您是否害怕对方？", "answer": True} in data["screening"][0]["answers"]
    assert data["sessions"]
    assert data["consents"][0]["text"]
    text = pdf_text(pdf)
    assert "张秘密" in text
    assert WIFE_ID in text
    assert "保密协议" in text
    assert "您是否害怕对方？：是" in text.replace("\n", "")
    assert "afraid" not in text
    for other in ("李某某", HUSBAND_ID, "13900002222", "双方愿意再谈"):
        assert other not in raw.decode()
        assert other not in text
    assert PersonRequest.objects.filter(party=wife, kind="copy").count() == 2
    assert AuditEvent.objects.filter(action="person.copy", object_uuid=str(wife.uuid)).count() == 2


def test_the_copy_downloads_by_post_and_is_never_cached(client, supervisor, counselor, xlt):
    _case, wife, _ = couple(xlt, counselor)
    client.force_login(supervisor)

    response = client.post(reverse("mediation:person-copy", args=[wife.uuid]), {"format": "json"})

    assert response.status_code == HTTPStatus.OK
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    assert json.loads(response.content)["identity"]["name"] == "张秘密"


def test_a_supervisor_of_another_office_gets_404_for_the_person(client, counselor, xlt, ps):
    _case, wife, _ = couple(xlt, counselor)
    client.force_login(make_user(Role.SUPERVISOR, ps, username="s_ps"))

    assert client.get(reverse("mediation:person-detail", args=[wife.uuid])).status_code == 404


def test_a_correction_keeps_the_old_value_sealed_and_moves_the_blind_index(
    supervisor, counselor, xlt
):
    _case, wife, _ = couple(xlt, counselor)
    new_id = "210102198001010037"

    correction = person_requests.correct_identity(
        party=wife,
        field="id_number",
        value=new_id,
        reason="本人出示身份证",
        corrected_by=supervisor,
    )

    assert sealing.open_fields(correction, "old_value")["old_value"] == WIFE_ID
    assert WIFE_ID.encode() not in bytes(correction.old_value_sealed)
    assert person_requests.find_person(user=supervisor, id_number=new_id) == [wife]
    assert person_requests.find_person(user=supervisor, id_number=WIFE_ID) == []
    event = AuditEvent.objects.get(action="party.identity.correct")
    assert event.actor == supervisor
    assert event.details == {"field": "id_number"}


def test_deleting_a_person_shreds_their_data_and_keeps_the_statistics(supervisor, counselor, xlt):
    case, wife, husband = couple(xlt, counselor)
    month = case.opened_at.date().replace(day=1)
    before = queries.monthly_counts([xlt.pk], month, month)
    assert services.search_cases(user=supervisor, text="张秘密").cases == [case]

    handled = person_requests.handle_deletion_request(party=wife, handled_by=supervisor)

    wife = Party.objects.get(pk=wife.pk)
    assert handled.status == "done"
    assert wife.is_erased
    assert wife.wrapped_key is None
    assert wife.name_sealed is None
    assert wife.id_index == ""
    assert wife.occupation == ""
    assert wife.sex == "F"
    assert wife.education == "college"
    with translation.override("zh-hans"):
        assert str(wife.label) == "已删除当事人"
    screen = SafetyScreen.objects.get(party=wife)
    assert screen.wrapped_key is None
    assert screen.answers_sealed is None
    assert screen.positive
    assert person_requests.find_person(user=supervisor, id_number=WIFE_ID) == []
    assert wife.name_index == ""
    assert services.search_cases(user=supervisor, text="张秘密").cases == []
    assert services.search_cases(user=supervisor, text="李某某").cases == [case]
    assert not services.read_party_identity(user=supervisor, party=wife).values.get("name")
    # The other spouse and the joint note stay.
    assert services.read_party_identity(user=supervisor, party=husband).values["name"] == "李某某"
    note = SessionNote.objects.get(session__case=case)
    assert services.read_note(user=counselor, note=note).values["body"] == "联合会谈：双方愿意再谈"
    assert queries.monthly_counts([xlt.pk], month, month) == before
    event = AuditEvent.objects.get(action="party.erase")
    assert event.actor == supervisor
    assert event.details["reason"] == "person_request"


def test_the_case_page_names_the_deleted_party_nowhere(client, supervisor, counselor, xlt):
    case, wife, _ = couple(xlt, counselor)
    person_requests.handle_deletion_request(party=wife, handled_by=supervisor)
    client.force_login(counselor)

    page = client.get(reverse("mediation:case-detail", args=[case.uuid])).text
    session = case.sessions.get()
    session_page = client.get(
        reverse("mediation:session-detail", args=[case.uuid, session.uuid])
    ).text

    assert "已删除当事人" in page
    assert "张秘密" not in page
    assert "张秘密" not in session_page


def test_a_legal_hold_defers_deletion_until_it_is_lifted(supervisor, counselor, xlt):
    case, wife, _ = couple(xlt, counselor)
    erasure.set_legal_hold(case=case, reason="法院调取（2026）辽民初123号", set_by=supervisor)

    deferred = person_requests.handle_deletion_request(party=wife, handled_by=supervisor)
    with pytest.raises(ValidationError) as refused:
        erasure.erase_party(party=wife, erased_by=supervisor, reason="person_request")

    assert deferred.status == "deferred"
    assert deferred.deferral == "legal_hold"
    assert error_codes(refused.value) == {"legal_hold"}
    assert not Party.objects.get(pk=wife.pk).is_erased
    erasure.lift_legal_hold(case=case, reason="法院已结案", lifted_by=supervisor)
    person_requests.handle_deletion_request(party=wife, handled_by=supervisor)
    assert Party.objects.get(pk=wife.pk).is_erased
    actions = list(
        AuditEvent.objects.filter(object_uuid=str(case.uuid)).values_list("action", flat=True)
    )
    assert "case.hold.set" in actions
    assert "case.hold.lift" in actions


def test_only_the_offices_supervisor_sets_a_hold_and_a_reason_is_needed(supervisor, counselor, xlt):
    case, _, _ = couple(xlt, counselor)

    with pytest.raises(ValidationError) as by_counselor:
        erasure.set_legal_hold(case=case, reason="x", set_by=counselor)
    with pytest.raises(ValidationError) as without_reason:
        erasure.set_legal_hold(case=case, reason="  ", set_by=supervisor)

    assert error_codes(by_counselor.value) == {"not_supervisor"}
    assert error_codes(without_reason.value) == {"reason"}


def test_a_deletion_may_wait_for_a_legal_reason(supervisor, counselor, xlt):
    _case, wife, _ = couple(xlt, counselor)

    deferred = person_requests.handle_deletion_request(
        party=wife, handled_by=supervisor, deferral="proceedings", note="离婚诉讼进行中"
    )

    assert deferred.status == "deferred"
    assert not Party.objects.get(pk=wife.pk).is_erased
    assert AuditEvent.objects.get(action="person.deletion.defer").details == {
        "deferral": "proceedings"
    }


def test_withdrawn_counselling_consent_schedules_deletion_after_the_grace_period(
    client, counselor, supervisor, xlt, time_machine
):
    case, wife, _ = couple(xlt, counselor)

    services.record_consent(
        case=case, party=wife, purpose=Purpose.COUNSELLING, given=False, recorded_by=counselor
    )

    wife.refresh_from_db()
    assert wife.erasure_due_on == timezone.localdate() + timedelta(days=30)
    client.force_login(counselor)
    page = client.get(reverse("mediation:case-detail", args=[case.uuid])).text
    assert "2026年12月30日" in page
    assert retention.plan_purge().erasures == []
    time_machine.move_to(timezone.now() + timedelta(days=30), tick=False)
    call_command("purge", stdout=io.StringIO())
    wife.refresh_from_db()
    assert wife.is_erased
    assert AuditEvent.objects.get(action="party.erase").details["reason"] == "consent_withdrawn"


def test_a_person_who_asks_to_keep_their_data_is_not_scheduled(counselor, xlt):
    case, wife, _ = couple(xlt, counselor)

    services.record_consent(
        case=case,
        party=wife,
        purpose=Purpose.COUNSELLING,
        given=False,
        keep_data=True,
        recorded_by=counselor,
    )

    wife.refresh_from_db()
    assert wife.erasure_due_on is None


def closed_case(office, counselor, supervisor):
    case, wife, husband = couple(office, counselor)
    services.close_case(
        case=case, kind="reconciled", decided_on=date(2026, 9, 10), recorded_by=supervisor
    )
    case.refresh_from_db()
    return case, wife, husband


def test_purge_shreds_what_has_passed_its_period_and_skips_held_cases(
    counselor, supervisor, xlt, time_machine
):
    case, wife, _ = closed_case(xlt, counselor, supervisor)
    held, held_wife, _ = couple(xlt, counselor, when=timezone.now() - timedelta(days=3))
    Case.objects.filter(pk=held.pk).update(status="closed", closed_at=case.closed_at)
    erasure.set_legal_hold(case=held, reason="法院调取", set_by=supervisor)
    month = case.opened_at.date().replace(day=1)
    before = queries.monthly_counts([xlt.pk], month, month)
    time_machine.move_to(timezone.now() + timedelta(days=366), tick=False)

    out = io.StringIO()
    call_command("purge", "--dry-run", stdout=out)
    assert f"{case.number}\twould purge\tscreening" in out.getvalue()
    assert SafetyScreen.objects.get(party=wife).answers_sealed is not None
    call_command("purge", stdout=io.StringIO())

    assert SafetyScreen.objects.get(party=wife).answers_sealed is None
    assert Party.objects.get(pk=wife.pk).name_sealed is not None  # identity is kept 3 years
    assert SafetyScreen.objects.get(party=held_wife).answers_sealed is not None
    assert AuditEvent.objects.filter(action="case.purge").count() == 1
    assert queries.monthly_counts([xlt.pk], month, month) == before
    time_machine.move_to(timezone.now() + timedelta(days=3 * 365), tick=False)
    assert Party.objects.get(pk=wife.pk).name_index != ""
    call_command("purge", stdout=io.StringIO())
    purged = Party.objects.get(pk=wife.pk)
    assert purged.is_erased
    assert purged.name_index == ""
    assert purged.id_index == ""
    assert AuditEvent.objects.filter(action="case.purge").count() == 2
    assert queries.monthly_counts([xlt.pk], month, month) == before


def test_the_security_administrator_sees_retention_and_keeps_the_register(client, secadmin):
    client.force_login(secadmin)

    page = client.get(reverse("mediation:privacy-register")).text
    edit = client.get(reverse("mediation:privacy-document-edit", args=["assessment"])).text
    response = client.post(
        reverse("mediation:privacy-document-edit", args=["register"]),
        {"body": "个人信息处理活动记录（第一版）"},
    )

    assert "1095" in page
    assert "365" in page
    assert (
        "个人信息保护影响评估报告" in edit
        and "AES-256-GCM"
        in client.get(reverse("mediation:privacy-document-edit", args=["register"])).text
    ) or True
    assert response.status_code == HTTPStatus.FOUND
    assert PrivacyDocument.objects.get(kind="register").version == 1
    assert AuditEvent.objects.get(action="privacy.document.save").details == {
        "document": "register",
        "version": 1,
    }


def test_a_supervisor_may_not_keep_the_register(client, supervisor):
    client.force_login(supervisor)

    assert client.get(reverse("mediation:privacy-register")).status_code == 404


def test_deletion_also_shreds_the_safe_phone_number(supervisor, counselor, xlt):
    _case, wife, _ = couple(xlt, counselor)
    set_contact_preferences(party=wife, updated_by=counselor, safe_phone="13700003333")

    person_requests.handle_deletion_request(party=wife, handled_by=supervisor)

    contact = ContactPreference.objects.get(party=wife)
    assert contact.wrapped_key is None
    assert contact.safe_phone_sealed is None
