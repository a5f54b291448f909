"""Figures against the hand-counted pilot of conftest.py."""

from datetime import date

from reports import pages
from reports.queries import ALL, GENESIS, audit_head, monthly_counts

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


def test_a_withdrawn_statistics_consent_removes_the_party_from_attribute_counts(pilot, xlt):
    counts = monthly_counts([xlt.id], APRIL, APRIL)

    assert not [key for key in counts if key[0].startswith("parties.")]


def test_the_cumulative_figures_add_the_months_and_keep_lapsed_apart(pilot, xlt, ps):
    page = pages.dashboard([xlt, ps], MARCH, MAY)
    value = page.publication.value
    period = (MARCH, MAY)

    assert value("outcomes.reconciled", ALL, period) == 1
    assert value("outcomes.lapsed", ALL, period) == 1
    assert value("applications.total", ALL, period) == 4
    assert value("applications.total", "XLT", period) == 3
    assert value("cases.total", ALL, period) == 5
    assert value("sessions.held", ALL, period) == 2
    assert value("outcomes.reconciled", ALL, (MAY, MAY)) == 0
    assert page.reconciled.value == 1


def test_a_month_shows_only_what_happened_in_it(pilot, xlt, ps):
    march = pages.dashboard([xlt, ps], MARCH, MARCH).publication
    april = pages.dashboard([xlt, ps], APRIL, APRIL).publication

    assert march.value("applications.total", ALL, (MARCH, MARCH)) == 2
    assert march.value("outcomes.total", ALL, (MARCH, MARCH)) == 0
    assert april.value("applications.total", ALL, (APRIL, APRIL)) == 2
    assert april.value("outcomes.reconciled", "XLT", (APRIL, APRIL)) == 1


def test_small_counts_are_never_shown_on_a_page(pilot, xlt, ps):
    page = pages.dashboard([xlt, ps], MARCH, MAY)

    for cell in page.publication.cells.values():
        if 0 < cell.value < 5:
            assert cell.text in ("<5", "×"), cell.key
    assert page.reconciled.text in ("<5", "×")
    assert all(not rate.visible or rate.denominator in (0, *range(5, 999)) for rate in page.rates)


def test_the_audit_head_of_a_month_is_the_last_event_before_its_end(pilot):
    from mediation.models import AuditEvent

    last = AuditEvent.objects.order_by("-seq").first()

    assert audit_head(date(2021, 9, 1)) == (0, GENESIS)
    assert audit_head(date(2999, 1, 1)) == (last.seq, last.hash)
