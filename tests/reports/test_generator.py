"""Generated cases reach the statistics: `manage.py generate` builds the summary table."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.apps import apps

from mediation.generator import generate
from mediation.models import RegistryOffice
from reports import rollup
from reports.queries import monthly_counts

NOW = datetime(2026, 11, 30, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_summary_counts_the_generated_cases_as_a_live_count_would(db):
    with time_machine.travel(NOW, tick=False):
        generate(cases=120, offices=4, years=1, seed=4, hooks=False, log=str)
        apps.get_app_config("reports").generated_data(seed=4, log=str)

        offices = list(RegistryOffice.objects.values_list("pk", flat=True))
        first, last = date(2025, 11, 1), date(2026, 11, 30)
        summary = rollup.counts(offices, first, last)
        live = monthly_counts(offices, first, last)

    assert rollup.is_built()
    assert summary == live
    assert sum(v for (figure, _, _), v in live.items() if figure.startswith("cases.")) == 120
