"""Acceptance on the 2021 pilot (issue 'Statistics that read like an official document'): the
August report is an official document that says 369, the dashboard of the same scope hides the
same cells, the annual report says 369, and the four outputs agree on the pilot's months.

The pilot is the session's (conftest.py, `panjin_2021_database`), shared with test_panjin_2021.py
in one worker; each test reads it inside its own transaction, rolled back after it.
"""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from mediation.models import SafetyScreen
from mediation.models import User as Account
from reports import pages, pdf, periods
from tests.reports.test_consistency import Tables, csv_tables, xlsx_tables

NUMBER = re.compile(r"盘民调〔\d{4}〕\d+号")


def pdf_text(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages]


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("panjin_2021")]


def test_the_august_and_annual_reports_of_the_pilot_are_official_and_say_369(client, tmp_path):
    output, annual = tmp_path / "report.pdf", tmp_path / "annual.pdf"

    call_command("monthly_report", "--month", "2021-08", "--output", str(output))
    call_command("annual_report", "--year", "2021", "--output", str(annual))

    pages_text = pdf_text(output)
    first = pages_text[0].replace(" ", "")
    whole = "\n".join(pages_text)
    assert "盘锦市民政局" in first
    assert NUMBER.search(first)
    assert "自调解室2021年3月开设以来，已有369对夫妻和好。" in whole.replace(" ", "")
    assert "manage.py" not in whole
    assert "0000000000" not in whole
    assert "本期数据系事后补录" in whole.replace(" ", "").replace("\n", "")
    annual_text = "\n".join(pdf_text(annual)).replace(" ", "")
    assert "2021年婚姻家庭调解工作统计报告" in annual_text
    assert "自调解室2021年3月开设以来，已有369对夫妻和好。" in annual_text
    assert "2021年，共有369对夫妻和好。" in annual_text

    # The same scope on the dashboard hides the same cells: every row of its tables is printed,
    # cell for cell, in the report.
    client.force_login(Account.objects.get(username="minzheng"))
    html = client.get(reverse("reports:dashboard"), {"first": "2021-08", "last": "2021-08"}).text
    dashboard = Tables(html).tables
    page = pages.build(pages.selected_offices(), periods.month(date(2021, 8, 1)))
    hidden = 0
    for key in ("mzt", "applications", "outcomes", "trend", "follow_ups", "referrals"):
        for row, cells in zip(page.tables[key].rows, dashboard[key], strict=True):
            label = "合计" if row.is_total else row.label
            assert " ".join([label, *cells]) in whole, (key, label)
            hidden += sum(cell in ("<5", "×") for cell in cells)
    assert hidden > 0


PILOT_SCOPES = [
    ([], "2021-08", "2021-08"),
    ([], "2021-03", "2021-08"),
    (["DW", "PS"], "2021-07", "2021-09"),
    (["PS"], "2021-05", "2021-05"),
]


def test_the_four_outputs_agree_on_the_pilots_months(client):
    client.force_login(Account.objects.get(username="fulian"))
    assert SafetyScreen.objects.filter(screened_at__year=2021).count() > 100
    issue = pdf.Issue(number="盘民调〔2021〕8号", issuer_name="陈红", archive_url="https://x/")

    for codes, first, last in PILOT_SCOPES:
        query = {"first": first, "last": last, "offices": codes}
        offices = pages.selected_offices(codes or None)
        period = periods.Period(date.fromisoformat(f"{first}-01"), date.fromisoformat(f"{last}-01"))
        page = pages.build(offices, period)
        keys = [table.key for table in page.all_tables]
        export = reverse("reports:dashboard-export", args=["csv"])
        workbook = reverse("reports:dashboard-export", args=["xlsx"])
        outputs = {
            "dashboard": Tables(client.get(reverse("reports:dashboard"), query).text).tables,
            "pdf": Tables(pdf.report(offices, period, issue)[0].html).tables,
            "csv": csv_tables(client.get(export, query).content, keys),
            "xlsx": xlsx_tables(client.get(workbook, query).content, keys),
        }
        for key in keys:
            shown = {name: tables[key] for name, tables in outputs.items() if key in tables}
            for name, rows in shown.items():
                assert rows == shown["csv"], (codes, first, last, key, name)
        assert "fulian" in outputs["dashboard"]
        assert "fulian" in outputs["pdf"]
