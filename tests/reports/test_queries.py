"""The counting (reports/queries.py) against the hand-counted pilot of conftest.py."""

from datetime import date

from mediation.audit import GENESIS
from mediation.models import AuditLink
from reports.figures import GROUPS, SERVICE_HOURS
from reports.queries import audit_head, monthly_counts

MARCH, APRIL, MAY = date(2021, 3, 1), date(2021, 4, 1), date(2021, 5, 1)


def test_every_figure_of_the_pilot_is_counted_in_its_own_month_and_office(pilot, xlt, ps):
    counts = monthly_counts([xlt.id, ps.id], MARCH, MAY)

    assert counts == {
        # March: A and B opened and received at XLT.
        ("cases.marital", xlt.id, MARCH): 1,
        ("cases.divorce_adjustment", xlt.id, MARCH): 1,
        ("applications.taken_up", xlt.id, MARCH): 1,
        ("applications.offered_only", xlt.id, MARCH): 1,
        # April at XLT: C opened (consent given, then withdrawn: still taken up) and declined;
        # A's session, result and reconciliation.
        ("cases.marital", xlt.id, APRIL): 1,
        ("applications.taken_up", xlt.id, APRIL): 1,
        ("sessions.joint", xlt.id, APRIL): 1,
        ("services.marriage_guidance", xlt.id, APRIL): 1,
        ("services.psychological", xlt.id, APRIL): 1,
        ("results.reconcile", xlt.id, APRIL): 1,
        ("outcomes.counselled.reconciled", xlt.id, APRIL): 1,
        ("outcomes.not_counselled.declined", xlt.id, APRIL): 1,
        # April at PS: D (premarital, two consenting parties) and E (not offered).
        ("cases.premarital", ps.id, APRIL): 1,
        ("cases.divorce_adjustment", ps.id, APRIL): 1,
        ("applications.not_offered", ps.id, APRIL): 1,
        ("sessions.joint", ps.id, APRIL): 1,
        ("services.prenatal", ps.id, APRIL): 1,
        ("parties.F.college", ps.id, APRIL): 1,
        ("parties.M.senior", ps.id, APRIL): 1,
        # May: B lapses by the clock (not a reconciliation), E is divorced.
        ("outcomes.not_counselled.lapsed", xlt.id, MAY): 1,
        ("outcomes.not_counselled.divorced", ps.id, MAY): 1,
    }


def test_every_figure_counted_is_a_column_of_the_catalogue(pilot, xlt, ps):
    catalogue = {
        column.key for group in GROUPS if group is not SERVICE_HOURS for column in group.columns
    }

    counted = {figure for figure, _office, _month in monthly_counts([xlt.id, ps.id], MARCH, MAY)}

    assert counted <= catalogue


def test_a_withdrawn_statistics_consent_removes_the_party_from_attribute_counts(pilot, xlt):
    counts = monthly_counts([xlt.id], APRIL, APRIL)

    assert not [key for key in counts if key[0].startswith("parties.")]


def test_the_audit_head_of_a_month_is_the_last_event_before_its_end(pilot):
    last = AuditLink.objects.order_by("-position").first()

    assert audit_head(date(2021, 9, 1)) == (0, GENESIS)
    assert audit_head(date(2999, 1, 1)) == (last.position, last.mac)
