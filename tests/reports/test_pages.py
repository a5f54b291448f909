"""The pages (reports/pages.py): the pilot's counts added over offices and months, then hidden
where small, the same for the dashboard, the monthly report and the exports."""

from datetime import date

from reports import pages
from reports.figure_types import ALL

MARCH, APRIL, MAY = date(2021, 3, 1), date(2021, 4, 1), date(2021, 5, 1)


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
