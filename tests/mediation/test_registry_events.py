"""Registry events imported instead of re-keyed: the sample file, idempotence, row errors with
their line numbers, outcomes inside their windows, the supervisor's list."""

import io
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from mediation import access, crypto, demo, keyring, keys, sealing, services
from mediation.models import (
    AuditEvent,
    Case,
    Notice,
    Outcome,
    OutcomeKind,
    Party,
    RegistryApplication,
    RegistryEvent,
    RegistryUpload,
    User,
)
from mediation.registry_file import EventKind, EventRow, read_file
from mediation.services import registry_events, registry_review, registry_uploads
from tests.conftest import TEST_RING
from tests.factories import open_divorce_case
from tests.helpers import error_codes
from tests.mediation.services.test_corrections import enter_2027

SAMPLE = Path(settings.BASE_DIR) / "docs" / "registry-sample.csv"
BEIJING = ZoneInfo("Asia/Shanghai")
HEADER = "申请编号,事件,日期,登记处代码,当事人一身份证号,当事人二身份证号\n"
ID_A, ID_B = "211102198601171134", "211102198103083123"


def _offices(user):
    return access.offices_for(user)


def upload(supervisor, content: bytes, filename="registry.csv"):
    preview = registry_uploads.preview_upload(
        filename=filename, content=content, offices=_offices(supervisor), uploaded_by=supervisor
    )
    assert not preview.file_error, preview.file_error
    return preview


def import_file(supervisor, content: bytes, filename="registry.csv"):
    preview = upload(supervisor, content, filename)
    return registry_uploads.import_upload(
        upload=preview.upload, offices=_offices(supervisor), imported_by=supervisor
    )


def received(number, day, office="XLT", ids=(ID_A, ID_B)):
    return EventRow(0, number, EventKind.RECEIVED, day, office, ids)


def event(number, kind, day, office="XLT"):
    return EventRow(0, number, kind, day, office)


def record(rows, supervisor):
    return registry_events.record_events(
        rows=rows, offices=_offices(supervisor), actor=supervisor, source="upload"
    )


def effects(summary):
    return [(r.application_number, str(r.kind), r.effect, r.code) for r in summary.results]


# --- the sample file (acceptance) ---------------------------------------------------------------


@pytest.fixture
def demo_office(db):
    demo.seed_accounts()
    demo.seed_cases()

    return User.objects.get(username="supervisor_xlt")


def test_the_sample_file_creates_facts_records_outcomes_holds_one_and_flags_a_mismatch(
    demo_office,
):
    supervisor = demo_office
    cases_before = Case.objects.count()

    summary = import_file(supervisor, SAMPLE.read_bytes(), "registry-sample.csv")

    assert summary.counts == {
        "new": 0,
        "applied": 14,
        "review": 2,
        "skipped": 0,
        "rejected": 0,
    }
    assert RegistryApplication.objects.count() == 12
    assert Case.objects.count() == cases_before + 11  # one couple already had its case
    outcomes = {
        o.case.registry_application.number: (o.kind, o.decided_on)
        for o in Outcome.objects.filter(case__registry_application__isnull=False)
    }
    assert outcomes == {
        "XLT-20260901-001": (OutcomeKind.DIVORCED, date(2026, 10, 20)),
        "XLT-20260915-002": (OutcomeKind.RECONCILED, date(2026, 9, 28)),
        "XLT-20261008-003": (OutcomeKind.RECONCILED, date(2026, 10, 30)),
    }
    review = {
        (e.application.number, e.kind, e.reason)
        for e in RegistryEvent.objects.filter(status=RegistryEvent.Status.REVIEW)
    }
    assert review == {
        ("XLT-20261012-004", "certificate", "outside_window"),
        ("XLT-20261102-005", "received", "received_date_differs"),
    }
    demo_case = RegistryApplication.objects.get(number="XLT-20261102-005").case
    assert demo_case.opened_by.username == "counselor_xlt"  # linked, not a second case
    assert demo_case.received_on != date(2026, 11, 2)  # the counsellor's date is not overwritten
    assert Notice.objects.filter(recipient=supervisor, kind="registry").count() == 2


def test_uploading_the_sample_file_again_changes_nothing(demo_office):
    supervisor = demo_office
    import_file(supervisor, SAMPLE.read_bytes())
    counts = (
        Case.objects.count(),
        Outcome.objects.count(),
        RegistryApplication.objects.count(),
        RegistryEvent.objects.count(),
    )

    second = import_file(supervisor, SAMPLE.read_bytes())

    assert second.counts["skipped"] == 16
    assert second.counts["applied"] == second.counts["review"] == 0
    assert counts == (
        Case.objects.count(),
        Outcome.objects.count(),
        RegistryApplication.objects.count(),
        RegistryEvent.objects.count(),
    )


# --- rows ------------------------------------------------------------------------------------


def test_bad_rows_are_reported_in_chinese_with_their_line_numbers(supervisor):
    content = (
        HEADER
        + f"A-1,受理,2026-11-02,XLT,{ID_A},{ID_B}\n"
        + f"A-2,受理,2026-13-02,XLT,{ID_A},{ID_B}\n"
        + "A-3,受理,2026-11-02,XLT,21110219860117113X,\n"
        + "A-4,离婚,2026-11-02,XLT,,\n"
        + "A-9,撤回,2026-11-03,XLT,,\n"
        + f"A-5,受理,2026-11-02,PS,{ID_A},{ID_B}\n"
        + f"A-1,受理,2026-11-02,XLT,{ID_A},{ID_B}\n"
    ).encode()

    preview = upload(supervisor, content)

    rejected: dict[int, list[tuple[str, str]]] = {}
    for result in preview.results:
        if result.effect == "rejected":
            rejected.setdefault(result.line, []).append((result.code, result.message))
    assert sorted(rejected) == [3, 4, 5, 6, 7, 8]
    assert rejected[3] == [("date", "日期不是有效日期（请写作2026-12-01）。")]
    assert rejected[4] == [
        ("id_check_digit", "当事人一身份证号的校验位不符，请核对。"),
        ("required", "缺少当事人二身份证号。"),
    ]
    assert rejected[5] == [("kind", "事件须为受理、撤回、发证或视为撤回。")]
    assert rejected[6] == [("unknown_application", "申请A-9尚未受理：请先提交其受理事件。")]
    assert rejected[7] == [("office", "您无权提交登记处PS的事件。")]
    assert rejected[8] == [("duplicate_in_file", "该申请的同一事件在文件中重复出现。")]
    assert not RegistryApplication.objects.exists()  # a preview stores nothing of the registry's


def test_a_preview_keeps_the_rows_sealed_and_the_import_destroys_them(supervisor):
    preview = upload(supervisor, (HEADER + f"A-1,受理,2026-11-02,XLT,{ID_A},{ID_B}\n").encode())
    stored = RegistryUpload.objects.get(pk=preview.upload.pk)
    assert ID_A.encode() not in bytes(stored.rows_sealed)
    assert ID_A in sealing.open_fields(stored, "rows")["rows"]

    registry_uploads.import_upload(
        upload=stored, offices=_offices(supervisor), imported_by=supervisor
    )

    stored.refresh_from_db()
    assert stored.rows_sealed is None
    with pytest.raises(ValidationError) as error:
        registry_uploads.import_upload(
            upload=stored, offices=_offices(supervisor), imported_by=supervisor
        )
    assert error_codes(error.value) == {"not_preview"}


def test_an_xlsx_export_reads_like_the_csv(supervisor):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["A-1", "受理", date(2026, 11, 2), "XLT", ID_A, ID_B])
    sheet.append(["A-1", "撤回", "2026年11月5日", "xlt", None, None])
    buffer = io.BytesIO()
    book.save(buffer)

    rows, errors = read_file("registry.xlsx", buffer.getvalue())

    assert errors == []
    assert [(r.line, r.kind, r.occurred_on, r.office) for r in rows] == [
        (2, EventKind.RECEIVED, date(2026, 11, 2), "XLT"),
        (3, EventKind.WITHDRAWN, date(2026, 11, 5), "XLT"),
    ]


# --- effects ---------------------------------------------------------------------------------


def test_a_received_application_opens_a_case_with_registry_facts_only(supervisor):
    summary = record([received("A-1", date(2026, 11, 2))], supervisor)

    (result,) = summary.results
    assert result.effect == "applied"
    case = result.case
    assert (case.port, case.received_on, case.counselling_offered) == (
        "divorce",
        date(2026, 11, 2),
        False,
    )
    assert case.cooling_off_ends_on is not None
    parties = list(case.parties.all())
    assert [p.id_index for p in parties] == ["", ""]  # nothing about the people without consent
    assert all(p.name_sealed is None and p.id_number_sealed is None for p in parties)
    application = case.registry_application
    ring = keyring.ring()
    assert application.index_1 == crypto.blind_index(ring.blind_index_key, ID_A)
    assert ID_A.encode() not in bytes(application.id_number_1_sealed)
    assert sealing.open_fields(application, "id_number_1")["id_number_1"] == ID_A


def test_a_received_application_joins_the_case_opened_for_the_same_couple(
    supervisor, counselor, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 2))
    first, second = case.parties.all()
    services.update_party(party=first, updated_by=counselor, id_number=ID_B)
    services.update_party(party=second, updated_by=counselor, id_number=ID_A)

    summary = record([received("A-1", date(2026, 11, 2))], supervisor)

    assert summary.results[0].effect == "applied"
    assert summary.results[0].case == case
    assert Case.objects.count() == 1


def test_a_couple_matched_by_one_party_only_gets_its_own_case_and_is_listed(
    supervisor, counselor, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 2))
    services.update_party(party=case.parties.first(), updated_by=counselor, id_number=ID_A)

    summary = record([received("A-1", date(2026, 11, 2))], supervisor)

    (result,) = summary.results
    assert (result.effect, result.code) == ("review", "partial_match")
    assert result.case != case
    assert case.number in result.message


def test_a_withdrawal_inside_cooling_off_records_the_reconciliation(supervisor):
    record([received("A-1", date(2026, 9, 1))], supervisor)

    summary = record([event("A-1", EventKind.WITHDRAWN, date(2026, 10, 8))], supervisor)

    assert summary.results[0].effect == "applied"
    outcome = Outcome.objects.get()
    assert (outcome.kind, outcome.decided_on, outcome.recorded_by) == (
        OutcomeKind.RECONCILED,
        date(2026, 10, 8),
        supervisor,
    )


def test_a_certificate_inside_cooling_off_is_held_for_the_supervisor(supervisor):
    record([received("A-1", date(2026, 9, 1))], supervisor)

    summary = record([event("A-1", EventKind.CERTIFICATE, date(2026, 10, 8))], supervisor)

    (result,) = summary.results
    assert (result.effect, result.code) == ("review", "outside_window")
    assert result.message == (
        "日期不在该登记结果的法定期间内（2026年10月9日至2026年11月9日），已交负责人核对，未予记录。"
    )
    assert not Outcome.objects.exists()
    assert Case.objects.get().status == Case.Status.OPEN


def test_a_certificate_on_the_first_day_of_its_window_is_applied(supervisor):
    record([received("A-1", date(2026, 9, 1))], supervisor)

    summary = record([event("A-1", EventKind.CERTIFICATE, date(2026, 10, 9))], supervisor)

    assert summary.results[0].effect == "applied"
    assert Outcome.objects.get().kind == OutcomeKind.DIVORCED


def test_a_deemed_withdrawal_is_dated_the_last_day_of_the_certificate_window(supervisor):
    record([received("A-1", date(2026, 9, 1))], supervisor)

    summary = record([event("A-1", EventKind.DEEMED_WITHDRAWN, date(2026, 11, 10))], supervisor)

    assert summary.results[0].effect == "applied"
    outcome = Outcome.objects.get()
    assert (outcome.kind, outcome.decided_on) == (OutcomeKind.LAPSED, date(2026, 11, 9))


def test_an_event_against_another_recorded_outcome_is_listed_never_overwritten(
    supervisor, counselor, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    for party, number in zip(case.parties.all(), (ID_A, ID_B), strict=True):
        services.update_party(party=party, updated_by=counselor, id_number=number)
    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 9, 20), recorded_by=counselor
    )
    record([received("A-1", date(2026, 9, 1))], supervisor)

    summary = record([event("A-1", EventKind.CERTIFICATE, date(2026, 10, 20))], supervisor)

    assert (summary.results[0].effect, summary.results[0].code) == ("review", "outcome_differs")
    assert Outcome.objects.get().kind == OutcomeKind.RECONCILED


def couples_case(xlt, counselor, received_on):
    """A case a counsellor opened for the couple, both ID numbers recorded (the registry's
    received event joins it)."""
    case = open_divorce_case(xlt, counselor, received_on=received_on)
    for party, number in zip(case.parties.all(), (ID_A, ID_B), strict=True):
        services.update_party(party=party, updated_by=counselor, id_number=number)
    return case


def test_a_voided_outcome_does_not_count_and_the_registry_records_the_right_one(
    supervisor, counselor, xlt, time_machine
):
    time_machine.move_to(datetime(2026, 11, 20, 10, tzinfo=BEIJING), tick=False)
    case = couples_case(xlt, counselor, date(2026, 9, 1))
    wrong = services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 9, 20), recorded_by=counselor
    )
    services.void_outcome(outcome=wrong, reason="应为离婚", voided_by=supervisor)
    record([received("A-1", date(2026, 9, 1))], supervisor)

    summary = record([event("A-1", EventKind.CERTIFICATE, date(2026, 10, 20))], supervisor)

    assert (summary.results[0].effect, summary.results[0].case) == ("applied", case)
    case.refresh_from_db()
    assert (case.outcome.kind, case.outcome.recorded_by) == (OutcomeKind.DIVORCED, supervisor)
    assert case.status == Case.Status.CLOSED
    assert [(each.kind, each.is_voided) for each in case.outcomes.all()] == [
        (OutcomeKind.RECONCILED, True),
        (OutcomeKind.DIVORCED, False),
    ]


def test_a_registry_outcome_closes_the_case_as_one_recorded_by_hand_would(
    supervisor, counselor, xlt, time_machine
):
    time_machine.move_to(datetime(2026, 9, 10, 10, tzinfo=BEIJING), tick=False)
    case = couples_case(xlt, counselor, date(2026, 9, 1))
    session = services.book_session(
        case=case,
        kind="joint",
        starts_at=datetime(2026, 9, 15, 9, tzinfo=BEIJING),
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
    )
    record([received("A-1", date(2026, 9, 1))], supervisor)

    summary = record([event("A-1", EventKind.WITHDRAWN, date(2026, 9, 10))], supervisor)

    assert summary.results[0].effect == "applied"
    session.refresh_from_db()
    assert (session.status, session.cancel_reason) == ("cancelled", "case_closed")
    assert set(case.follow_ups.values_list("months", flat=True)) == {3, 6}
    close = AuditEvent.objects.get(action="case.close")
    assert close.details["outcome"] == "reconciled"
    assert close.details["sessions_cancelled"] == 1


def test_on_provisional_deadlines_the_registry_outcome_is_marked_and_rechecked(
    supervisor, civil_affairs, time_machine
):
    # Received on 9 January 2027: cooling-off would end on Monday 8 February while 2027 is not
    # loaded; Spring Festival (6-14 February) moves it to the 15th once the year is entered.
    time_machine.move_to(datetime(2027, 2, 22, 10, tzinfo=BEIJING), tick=False)
    record([received("A-1", date(2027, 1, 9))], supervisor)

    summary = record([event("A-1", EventKind.CERTIFICATE, date(2027, 2, 10))], supervisor)

    assert summary.results[0].effect == "applied"
    outcome = Outcome.objects.get()
    assert outcome.provisional
    assert not outcome.window_mismatch
    enter_2027(civil_affairs)
    outcome.refresh_from_db()
    assert outcome.window_mismatch
    review = services.outcomes_to_review(Case.objects.visible_to(supervisor))
    assert list(review) == [outcome]


def test_a_deemed_withdrawal_before_the_window_is_over_is_held(supervisor, time_machine):
    time_machine.move_to(datetime(2026, 11, 20, 10, tzinfo=BEIJING), tick=False)
    record([received("A-1", date(2026, 9, 1))], supervisor)

    summary = record([event("A-1", EventKind.DEEMED_WITHDRAWN, date(2026, 11, 2))], supervisor)

    (result,) = summary.results
    assert (result.effect, result.code) == ("review", "outside_window")
    assert "2026年11月9日" in result.message
    assert not Outcome.objects.exists()


def test_the_same_event_twice_is_skipped(supervisor):
    rows = [received("A-1", date(2026, 9, 1)), event("A-1", EventKind.WITHDRAWN, date(2026, 9, 9))]
    record(rows, supervisor)
    events_before = AuditEvent.objects.filter(action="registry.event").count()

    summary = record(rows, supervisor)

    assert [r.effect for r in summary.results] == ["skipped", "skipped"]
    assert AuditEvent.objects.filter(action="registry.event").count() == events_before


# --- the supervisor's list -------------------------------------------------------------------


def test_the_supervisor_takes_the_registrys_date_and_the_deadlines_follow(
    supervisor, counselor, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 2))
    for party, number in zip(case.parties.all(), (ID_A, ID_B), strict=True):
        services.update_party(party=party, updated_by=counselor, id_number=number)
    record([received("A-1", date(2026, 9, 1))], supervisor)
    waiting = RegistryEvent.objects.get(status=RegistryEvent.Status.REVIEW)

    registry_review.resolve_event(
        event=waiting,
        resolved_by=supervisor,
        resolution="登记系统日期为准",
        accept_registry_date=True,
    )

    case.refresh_from_db()
    assert (case.received_on, case.cooling_off_ends_on) == (date(2026, 9, 1), date(2026, 10, 8))
    assert RegistryEvent.objects.get(pk=waiting.pk).status == RegistryEvent.Status.RESOLVED


def test_resolving_needs_a_word_on_how(supervisor):
    record([received("A-1", date(2026, 9, 1))], supervisor)
    record([event("A-1", EventKind.CERTIFICATE, date(2026, 9, 5))], supervisor)
    waiting = RegistryEvent.objects.get(status=RegistryEvent.Status.REVIEW)

    with pytest.raises(ValidationError) as error:
        registry_review.resolve_event(event=waiting, resolved_by=supervisor, resolution=" ")

    assert error_codes(error.value) == {"resolution_required"}


# --- pages ------------------------------------------------------------------------------------


def test_a_supervisor_previews_then_imports_through_the_pages(client, supervisor):
    client.force_login(supervisor)
    content = HEADER + f"A-1,受理,2026-11-02,XLT,{ID_A},{ID_B}\nA-2,撤回,2026-11-03,XLT,,\n"

    response = client.post(
        reverse("mediation:registry-upload"),
        {"file": SimpleUploadedFile("registry.csv", content.encode(), "text/csv")},
    )

    assert response.status_code == 200
    assert not RegistryApplication.objects.exists()
    assert ID_A not in response.text
    assert "申请A-2尚未受理" in response.text  # the second row's error, on line 3
    upload_row = RegistryUpload.objects.get()

    response = client.post(reverse("mediation:registry-import", args=[upload_row.uuid]))

    assert response.status_code == 200
    assert RegistryApplication.objects.count() == 1


@pytest.mark.parametrize("role", ["counselor", "civil_affairs", "sysadmin"])
def test_only_supervisors_reach_the_registry_pages(client, db, request, role):
    client.force_login(request.getfixturevalue(role))

    for name in ("mediation:registry-upload", "mediation:registry-review"):
        assert client.get(reverse(name)).status_code == 404


def test_party_rows_carry_no_registry_id_numbers(supervisor):
    record([received("A-1", date(2026, 11, 2))], supervisor)

    assert not Party.objects.exclude(id_index="").exists()


def test_rebuilding_the_blind_index_reaches_the_registrys_applications(supervisor):
    record([received("A-1", date(2026, 11, 2))], supervisor)
    new_ring = replace(TEST_RING, blind_index_key=bytes(range(64, 96)))
    keyring.use(new_ring)
    try:
        keys.rebuild_blind_index()
        application = RegistryApplication.objects.get()
        assert application.index_1 == crypto.blind_index(new_ring.blind_index_key, ID_A)
        assert application.index_2 == crypto.blind_index(new_ring.blind_index_key, ID_B)
    finally:
        keyring.use(TEST_RING)
