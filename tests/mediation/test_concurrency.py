"""Two counsellors at the same moment: numbers stay unique, a case gets exactly one outcome."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mediation import services
from mediation.models import (
    AuditEvent,
    Case,
    Category,
    ConsentRecord,
    Outcome,
    OutcomeKind,
    Port,
    Purpose,
)
from tests.factories import open_divorce_case
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(count, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # collected and asserted on
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_cases_opened_at_the_same_moment_get_different_numbers(counselor, xlt):
    results, errors = run_together(
        4,
        lambda: (
            services.open_case(
                office=xlt,
                port=Port.DIVORCE,
                category=Category.MARITAL,
                received_on=date(2026, 9, 1),
                opened_by=counselor,
            ).number
        ),
    )

    assert errors == []
    assert len(set(results)) == 4
    assert Case.objects.filter(office=xlt).count() == 4


def test_two_outcomes_recorded_at_the_same_moment_leave_exactly_one(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))

    results, errors = run_together(
        2,
        lambda: services.close_case(
            case=case,
            kind=OutcomeKind.RECONCILED,
            decided_on=date(2026, 9, 20),
            recorded_by=counselor,
        ),
    )

    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert error_codes(errors[0]) == {"already_closed"}
    assert Outcome.objects.filter(case=case).count() == 1


def test_five_parallel_consent_submissions_leave_one_record(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    party = case.parties.first()

    results, errors = run_together(
        5,
        lambda: services.record_consent(
            case=case, party=party, purpose=Purpose.COUNSELLING, given=True, recorded_by=counselor
        ),
    )

    assert errors == []
    assert len({record.pk for record in results}) == 1
    assert sorted(record.repeat for record in results) == [False, True, True, True, True]
    assert ConsentRecord.objects.filter(party=party).count() == 1
    assert AuditEvent.objects.filter(action="consent.give").count() == 1


def test_five_parallel_consent_pages_for_both_parties_leave_one_record_each(counselor, xlt):
    case = open_divorce_case(xlt, counselor, consent=False)
    parties = list(case.parties.order_by("position"))

    results, errors = run_together(
        5,
        lambda: services.record_consents(
            case=case,
            decisions=[(party, Purpose.COUNSELLING, True) for party in parties],
            recorded_by=counselor,
        ),
    )

    assert errors == []
    assert sum(len(page.recorded) for page in results) == 2
    assert sum(len(page.repeats) for page in results) == 8
    assert ConsentRecord.objects.filter(party__case=case).count() == 2
