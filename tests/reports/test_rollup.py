"""The summary table gives the same counts as counting live, and follows every change."""

from datetime import date

from django.core.management import call_command

from mediation import services
from mediation.models import Category, Port
from reports import rollup
from reports.models import MonthlyFigure
from reports.queries import monthly_counts
from tests.reports.conftest import at

MARCH, DECEMBER = date(2021, 3, 1), date(2021, 12, 1)


def test_the_summary_holds_exactly_the_live_counts(pilot, xlt, ps):
    call_command("reports_rollup")

    assert rollup.is_built()
    assert rollup.counts([xlt.id, ps.id], MARCH, DECEMBER) == monthly_counts(
        [xlt.id, ps.id], MARCH, DECEMBER
    )


def test_a_change_recounts_only_the_office_it_happened_in(pilot, xlt, ps):
    rollup.build()
    xlt_rows = set(MonthlyFigure.objects.filter(office=xlt).values_list("pk", flat=True))
    counselor = pilot.d.opened_by

    services.open_case(
        office=ps,
        port=Port.WALK_IN,
        category=Category.FAMILY,
        opened_by=counselor,
        opened_at=at(2021, 6, 1),
    )
    counts = rollup.counts([xlt.id, ps.id], MARCH, DECEMBER)

    assert counts[("cases.family", ps.id, date(2021, 6, 1))] == 1
    assert counts == monthly_counts([xlt.id, ps.id], MARCH, DECEMBER)
    assert set(MonthlyFigure.objects.filter(office=xlt).values_list("pk", flat=True)) == xlt_rows
    assert rollup.refresh() == []


def test_without_a_summary_the_pages_count_live(pilot, xlt):
    assert not rollup.is_built()
    assert rollup.counts([xlt.id], MARCH, DECEMBER) == monthly_counts([xlt.id], MARCH, DECEMBER)
