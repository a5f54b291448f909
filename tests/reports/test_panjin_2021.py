"""Acceptance: the 2021 pilot as published, its August report and minzheng's dashboard.

The pilot is made once per test session (conftest.py, `panjin_2021_database`); each test here
reads it inside its own transaction, rolled back after it.
"""

import io
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from mediation.models import Case, Outcome, Party, RegistryOffice
from mediation.models import User as Account
from mediation.services import retention
from reports import queries

# Under xdist these tests share one worker (tests/conftest.py, WORKER_GROUPS).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("panjin_2021")]

OFFICE_NAMES = ("兴隆台区婚姻登记处", "双台子区婚姻登记处", "大洼区婚姻登记处", "盘山县婚姻登记处")


def test_seeding_the_pilot_a_second_time_changes_nothing():
    cases = Case.objects.count()

    call_command("seed_demo", "--profile", "panjin-2021", stdout=io.StringIO())

    assert Case.objects.count() == cases


def test_369_couples_reconciled_and_lapses_outnumber_withdrawals_without_counselling():
    reconciled = Outcome.objects.filter(kind="reconciled", decided_on__year=2021)
    assert reconciled.filter(decided_on__month__lte=8).count() == 369
    lapsed_uncounselled = Outcome.objects.filter(kind="lapsed").exclude(
        case__sessions__status="held"
    )
    withdrawn_uncounselled = reconciled.exclude(case__sessions__status="held")
    assert lapsed_uncounselled.count() > 2 * withdrawn_uncounselled.count()


def test_the_august_report_counts_369_couples_and_names_every_office(tmp_path):
    output = tmp_path / "report.pdf"

    call_command("monthly_report", "--month", "2021-08", "--output", str(output))

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(output.read_bytes())).pages)
    assert "自调解室2021年3月开设以来，已有369对夫妻和好。" in text
    for name in OFFICE_NAMES:
        assert name in text


def test_the_dashboard_agrees_with_the_report_office_by_office(client):
    client.force_login(Account.objects.get(username="minzheng"))

    default = client.get(reverse("reports:dashboard")).text
    pilot = client.get(reverse("reports:dashboard"), {"first": "2021-03", "last": "2021-08"}).text

    assert "共有369对夫妻和好" in default
    assert "2021年3月至2021年8月，共有369对夫妻和好" in pilot
    comparison = pilot[pilot.index('id="table-comparison"') :]
    comparison = comparison[: comparison.index("</table>")]
    for name, count in zip(OFFICE_NAMES, (140, 95, 72, 62), strict=True):
        row = comparison[comparison.index(name) :]
        assert f'class="tx-num">{count}<' in row[: row.index("</tr>")]


def test_a_purge_of_the_pilot_leaves_every_month_and_the_year_unchanged():
    offices = list(RegistryOffice.objects.values_list("pk", flat=True))
    months = [date(2021, month, 1) for month in range(1, 13)]
    before = [queries.monthly_counts(offices, month, month) for month in months]
    year = queries.monthly_counts(offices, months[0], months[-1])

    plan = retention.purge(now=datetime(2035, 1, 1, tzinfo=UTC))

    assert plan.cases
    assert Party.objects.filter(erased_at__isnull=False).exists()
    assert [queries.monthly_counts(offices, month, month) for month in months] == before
    assert queries.monthly_counts(offices, months[0], months[-1]) == year
    assert Outcome.objects.filter(kind="reconciled", decided_on__year=2021).count() >= 369
