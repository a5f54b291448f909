"""A voided registry outcome drops out of the month's statistics, counted live and in the
summary table, and the right outcome recorded after it is counted instead."""

from datetime import date

from mediation import services
from mediation.models import OutcomeKind
from mediation.roles import Role
from reports import rollup
from reports.queries import monthly_counts
from tests.factories import make_user

APRIL, MAY = date(2021, 4, 1), date(2021, 5, 1)
RECONCILED_COUNSELLED = f"outcomes.counselled.{OutcomeKind.RECONCILED}"
DIVORCED_COUNSELLED = f"outcomes.counselled.{OutcomeKind.DIVORCED}"


def test_voiding_an_outcome_removes_it_from_the_months_figures(pilot, xlt):
    supervisor = make_user(Role.SUPERVISOR, xlt, username="pilot_sup")
    rollup.build()
    assert rollup.counts([xlt.id], APRIL, APRIL)[(RECONCILED_COUNSELLED, xlt.id, APRIL)] == 1

    services.void_outcome(outcome=pilot.a.outcome, reason="应为离婚", voided_by=supervisor)

    live = monthly_counts([xlt.id], APRIL, MAY)
    summary = rollup.counts([xlt.id], APRIL, MAY)
    assert (RECONCILED_COUNSELLED, xlt.id, APRIL) not in live
    assert summary == live


def test_the_right_outcome_after_a_void_is_counted_in_its_own_month(pilot, xlt):
    supervisor = make_user(Role.SUPERVISOR, xlt, username="pilot_sup")
    rollup.build()
    services.void_outcome(outcome=pilot.a.outcome, reason="应为离婚", voided_by=supervisor)

    services.close_case(
        case=pilot.a,
        kind=OutcomeKind.DIVORCED,
        decided_on=date(2021, 5, 6),
        recorded_by=pilot.a.opened_by,
    )

    summary = rollup.counts([xlt.id], APRIL, MAY)
    assert (RECONCILED_COUNSELLED, xlt.id, APRIL) not in summary
    assert summary[(DIVORCED_COUNSELLED, xlt.id, MAY)] == 1
    assert summary == monthly_counts([xlt.id], APRIL, MAY)
