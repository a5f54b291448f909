"""Generated data obeys the rules the services enforce: numbering, the legal clock, sealing per
row, consent before details, and an audit trail that verifies."""

import gc
import random
import re
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from mediation import audit, clock, crypto, keyring, sealing, services, totp
from mediation.generator import generate, shape, store, texts
from mediation.generator import rows as generated_rows
from mediation.identity import normalise_id_number
from mediation.models import (
    AuditEvent,
    AuditLink,
    AuditPending,
    Case,
    Category,
    ConsentRecord,
    CounselingSession,
    OfficialCalendarYear,
    Outcome,
    Party,
    Port,
    RegistryOffice,
    SessionNote,
    TotpDevice,
    User,
)
from mediation.models.cases import CANCEL_REASONS, NO_SHOW_REASONS
from mediation.services import two_factor
from tests.sign_in import sign_in

NOW = datetime(2026, 11, 30, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
# What the generator inserts, and the audit events it writes beside them.
MODELS = (*generated_rows.MODELS, AuditEvent)


@pytest.fixture
def generated(db, django_capture_on_commit_callbacks):
    # Each batch commits on its own outside a test: its links' checkpoint follows the commit.
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            summary = generate(
                cases=300, offices=7, years=3, seed=5, batch=100, hooks=False, log=str
            )
        yield summary


def test_the_asked_number_of_cases_is_made_at_the_asked_number_of_offices(generated):
    assert Case.objects.count() == 300
    assert RegistryOffice.objects.count() == 7
    assert set(Case.objects.values_list("office", flat=True)) == set(
        RegistryOffice.objects.values_list("pk", flat=True)
    )
    assert generated.sealed > 0
    assert generated.events > 600


def test_new_offices_are_liaoning_counties_coded_by_their_division_code(generated):
    new = RegistryOffice.objects.exclude(code__in=["XLT", "STZ", "DW", "PS"]).order_by("code")

    assert [(o.code, o.name) for o in new][:2] == [
        ("210102", "沈阳市和平区婚姻登记处"),
        ("210103", "沈阳市沈河区婚姻登记处"),
    ]
    assert all(o.city == "沈阳市" for o in new)


def test_every_row_passes_its_models_field_rules(generated):
    for model in MODELS:
        relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
        # The legacy chain's hash before an event is empty on keyed events (as audit.record
        # writes them).
        legacy = ["prev_hash"] if model is AuditEvent else []
        for obj in model.objects.all()[:300]:
            obj.clean_fields(exclude=relations + legacy)


def test_case_numbers_follow_the_services_scheme_and_the_counters_continue(generated):
    numbers = list(Case.objects.values_list("office__code", "year", "sequence", "number"))
    for code, year, sequence, number in numbers:
        assert number == f"{code}-{year}-{sequence:04d}"
    per_office_year = Counter((code, year) for code, year, _, _ in numbers)
    for (code, year), count in per_office_year.items():
        sequences = sorted(s for c, y, s, _ in numbers if (c, y) == (code, year))
        assert sequences == list(range(1, count + 1))

    with time_machine.travel(NOW, tick=False):
        counselor = User.objects.filter(username="xlt_counselor_1").get()
        case = services.open_case(
            office=RegistryOffice.objects.get(code="XLT"),
            port=Port.MARRIAGE,
            category=Category.PREMARITAL,
            opened_by=counselor,
        )

    assert case.sequence == per_office_year[("XLT", 2026)] + 1


def test_deadlines_come_from_the_clock_and_outcomes_lie_in_their_legal_windows(generated):
    calendar = OfficialCalendarYear.objects.calendar()
    outcomes = {o.case_id: o for o in Outcome.objects.all()}
    for case in Case.objects.filter(port=Port.DIVORCE):
        due = clock.deadlines(case.received_on, calendar)
        assert (case.cooling_off_ends_on, case.certificate_window_ends_on) == (
            due.cooling_off_ends_on,
            due.certificate_window_ends_on,
        )
        outcome = outcomes.get(case.pk)
        if outcome is None:
            assert case.status == Case.Status.OPEN
            continue
        assert case.status == Case.Status.CLOSED
        if outcome.kind == "reconciled":
            assert case.received_on <= outcome.decided_on <= due.cooling_off_ends_on
        elif outcome.kind == "divorced":
            assert due.cooling_off_ends_on < outcome.decided_on <= due.certificate_window_ends_on
        elif outcome.kind == "lapsed":
            assert outcome.decided_on == due.certificate_window_ends_on
            assert outcome.by_clock
        assert outcome.decided_on < NOW.date()
    assert not Outcome.objects.filter(case__port__in=[Port.MARRIAGE, Port.WALK_IN]).exists()


def test_lapses_far_outnumber_reconciliations_and_most_cases_are_divorce_applications(generated):
    kinds = Counter(Outcome.objects.values_list("kind", flat=True))
    ports = Counter(Case.objects.values_list("port", flat=True))

    assert kinds["lapsed"] > 4 * kinds["reconciled"] > 0
    assert ports[Port.DIVORCE] > 0.75 * 300
    assert ports[Port.MARRIAGE] > ports[Port.WALK_IN] > 0


def test_identities_are_sealed_per_row_with_valid_blind_indexed_id_numbers(generated, counselor):
    parties = list(Party.objects.exclude(name_sealed=None).select_related("case"))
    assert parties
    assert len({bytes(p.wrapped_key) for p in parties}) == len(parties)  # a data key per row
    key = keyring.ring().blind_index_key
    for party in parties[:50]:
        opened = sealing.open_fields(party)
        number = opened["id_number"]
        assert normalise_id_number(number) == number
        assert party.id_index == crypto.blind_index(key, number)
        assert number[:6] in {"211103", "211102", "211104", "211122", party.case.office.code}
        assert party.consent_counselling or ConsentRecord.objects.filter(
            party=party, purpose="counselling", action="withdrawn"
        )
    assert not Party.objects.filter(consent_counselling=False, name_sealed__isnull=False).exclude(
        consents__action="withdrawn"
    )


def test_notes_open_for_their_author_through_the_service(generated):
    note = SessionNote.objects.select_related("session__case", "author").first()

    opened = services.read_note(user=note.author, note=note)

    assert opened.ok
    assert len(opened.values["body"]) > 20
    assert AuditEvent.objects.filter(action="note.read", object_uuid=str(note.uuid)).exists()


def test_no_session_is_double_booked_and_notes_need_sensitive_consent(generated):
    active = CounselingSession.objects.filter(status__in=["booked", "held"])
    by_counselor = Counter(active.values_list("lead_counselor", "starts_at"))
    by_room = Counter(active.values_list("office", "room", "starts_at"))
    assert max(by_counselor.values()) == 1
    assert max(by_room.values()) == 1
    for note in SessionNote.objects.select_related("session")[:100]:
        session = note.session
        parties = [session.party] if session.party_id else session.case.parties.all()
        assert all(p.consent_sensitive for p in parties)
        assert session.starts_at < note.created_at


def test_the_audit_trail_verifies_and_follows_time(generated):
    result = audit.verify()

    assert result.ok, result.reason
    assert result.checked == generated.events
    times = list(AuditEvent.objects.order_by("seq").values_list("at", flat=True))
    assert times == sorted(times)
    assert times[-1] <= NOW


def test_generated_accounts_pass_the_second_step_with_their_demo_seed(generated, client):
    supervisor = User.objects.filter(username__endswith="_supervisor").order_by("pk").last()
    device = TotpDevice.objects.get(user=supervisor)
    assert two_factor._open_seed(device) == totp.demo_seed(supervisor.username)

    response = sign_in(client, supervisor.username)

    assert response.status_code == 302
    assert client.get(reverse("mediation:office-cases")).status_code == 200


def test_generated_rows_look_like_the_services_rows(generated):
    case = Case.objects.filter(outcome__kind="reconciled").first()
    actions = list(
        AuditEvent.objects.filter(object_uuid=str(case.uuid))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[0] == "case.open"
    assert "case.close" in actions
    lapsed = AuditEvent.objects.filter(action="case.close", details__outcome="lapsed").first()
    assert lapsed.actor_id is None
    assert lapsed.role == "system"
    not_held = CounselingSession.objects.filter(status__in=["cancelled", "no_show"])
    assert not_held.exists()
    for session in not_held:
        offered = NO_SHOW_REASONS if session.status == "no_show" else CANCEL_REASONS
        assert session.cancel_reason in offered
        assert session.cancelled_by_id == session.lead_counselor_id
        assert session.cancelled_at


def test_the_same_seed_gives_the_same_shape(db):
    with time_machine.travel(NOW, tick=False):
        generate(cases=80, offices=4, years=2, seed=9, hooks=False, log=str)
        first = list(Case.objects.order_by("pk").values_list("port", "received_on", "status"))
        generate(cases=80, offices=4, years=2, seed=9, hooks=False, log=str)
    second = list(Case.objects.order_by("pk").values_list("port", "received_on", "status"))[80:]

    assert first == second


def test_every_way_of_storing_stores_the_same_rows(db, django_capture_on_commit_callbacks):
    methods = ["bulk_create", "executemany"] + (
        ["copy"] if connection.vendor == "postgresql" else []
    )
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        for method in methods:
            generate(cases=50, offices=4, seed=3, hooks=False, method=method, log=str)
    cases = list(Case.objects.order_by("pk").values_list("port", "category", "received_on"))
    notes = SessionNote.objects.order_by("pk")

    assert all(cases[n * 50 : n * 50 + 50] == cases[:50] for n in range(len(methods)))
    assert audit.verify().ok
    assert all(sealing.open_fields(note)["body"] for note in notes)


def test_the_command_reports_what_it_made(db, capsys):
    with time_machine.travel(NOW, tick=False):
        call_command("generate", "--cases", "30", "--offices", "4", "--core-only")

    output = capsys.readouterr().out
    assert re.search(r"Generated 30 cases \([\d,]+ rows", output)
    assert "cases/s" in output


def test_the_process_collects_its_garbage_again_after_generating(db):
    """The cycle collector is paused while the batches are made, never after: a process that
    generates (a test run, a shell) must not grow without bound, even when generating fails."""
    with time_machine.travel(NOW, tick=False):
        generate(cases=5, offices=1, years=1, hooks=False, log=str)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0

    with pytest.raises(ValueError, match="outside a transaction"):
        generate(cases=5, offices=1, hooks=False, linker=True, log=str)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_audit_verify_finds_the_generated_trail_intact_and_every_event_linked(
    db, capsys, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("generate", "--cases", "40", "--offices", "3", "--core-only")
    capsys.readouterr()

    with translation.override("en"):
        call_command("audit", "verify")  # exits 1 on a broken or unlinked trail

    events = AuditEvent.objects.count()
    assert f"The audit trail is intact: {events} events verified" in capsys.readouterr().out
    assert AuditLink.objects.count() == events
    assert not AuditPending.objects.exists()
    assert not AuditEvent.objects.filter(hash__isnull=False).exists()


def test_planned_sessions_and_outcomes_always_lie_in_their_legal_windows(db):
    calendar = OfficialCalendarYear.objects.calendar()
    today = date(2026, 11, 30)
    working = shape.WorkingDays(calendar, date(2021, 1, 1), today + timedelta(days=120))
    rng = random.Random(1)
    slots = shape.Slots()
    for _ in range(3000):
        received = rng.choice(working.between(date(2021, 1, 4), today - timedelta(days=1)))
        due = clock.deadlines(received, calendar)
        ctx = shape.Context(
            today=today, working=working, slots=slots, office=1, rooms=2, counselor=1
        )
        plan = shape.plan_case(
            rng, ctx, port="divorce", opened_on=received, hour=9, minute=0, deadlines=due
        )
        for session in plan.sessions:
            assert received < session.day <= due.cooling_off_ends_on
            assert session.status == "booked" or session.day < today
        if plan.closed:
            assert plan.decided_on < today
        if plan.kind == "reconciled":
            assert plan.decided_on <= due.cooling_off_ends_on
        if plan.kind == "divorced":
            assert due.cooling_off_ends_on < plan.decided_on <= due.certificate_window_ends_on


def test_generated_id_numbers_are_valid_for_both_sexes():
    rng = random.Random(2)
    for female in (True, False):
        number = texts.id_number(rng, area="211103", born=date(1990, 5, 17), female=female)
        assert normalise_id_number(number) == number
        assert (int(number[16]) % 2 == 0) is female


def test_screen_answers_use_the_services_questions():
    answers = texts.screen_answers(positive=True, rng=random.Random(3))

    assert tuple(answers) == services.SCREEN_QUESTIONS
    assert any(answers.values())


def test_copy_is_the_default_on_postgresql_and_executemany_elsewhere():
    assert store.default_method() == (
        "copy" if connection.vendor == "postgresql" else "executemany"
    )


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
# An xdist worker has threads of its own (the command forks before starting any): the linker
# touches none of what they hold.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_linker_process_links_the_chain_while_the_batches_are_stored():
    """As `manage.py generate` runs on PostgreSQL: the batches commit one by one and a forked
    process links their events meanwhile; the chain ends whole, in the order of time."""
    lines: list[str] = []
    with time_machine.travel(NOW, tick=False):
        summary = generate(
            cases=120,
            offices=3,
            years=1,
            seed=11,
            batch=20,
            hooks=False,
            linker=True,
            log=lines.append,
        )

    assert not [line for line in lines if "failed" in line]
    result = audit.verify()
    assert result.ok, result.reason
    assert result.checked == AuditEvent.objects.count() >= summary.events
    assert not AuditPending.objects.exists()
    times = list(AuditEvent.objects.order_by("seq").values_list("at", flat=True))
    assert times == sorted(times)


def test_a_linker_process_is_refused_inside_a_transaction(db):
    """It could link only what is committed, and forking closes the connections."""
    with pytest.raises(ValueError, match="outside a transaction"):
        generate(cases=10, offices=1, hooks=False, linker=True, log=str)

    assert not Case.objects.exists()
