"""Two counsellors at the same moment: numbers stay unique, a case gets exactly one outcome."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mediation import services
from mediation.models import Case, Category, Outcome, OutcomeKind, Port
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
        except Exception as error:  # noqa: BLE001 - collected and asserted on
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
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert error_codes(errors[0]) == {"already_closed"}
    assert Outcome.objects.filter(case=case).count() == 1
