"""Counsellor service hours per organisation and office: delivered duty of the published roster,
on the dashboard, in the monthly PDF and in the exports; never per counsellor."""

import io
import zipfile
from datetime import date

from django.urls import reverse
from pypdf import PdfReader

from reports import pages, pdf
from reports.queries import service_hours
from tests.reports.conftest import DUTY_COUNSELOR_NAMES

APRIL = date(2021, 4, 1)
ASSOCIATION = "盘锦市社会心理健康服务发展研究会"
SOCIAL_WORK = "盘锦市爱心公益社会工作服务中心"


def by_office(entries):
    return {
        (entry.organisation, entry.office_id): (entry.half_days, entry.hours) for entry in entries
    }


def test_service_hours_count_half_days_of_the_published_roster_only(duty, xlt, ps):
    counted = by_office(service_hours([xlt.id, ps.id], APRIL, APRIL))

    assert counted == {
        (ASSOCIATION, xlt.id): (4, 14.0),
        (ASSOCIATION, ps.id): (2, 7.0),
        (SOCIAL_WORK, ps.id): (1, 3.5),
    }


def test_duty_after_today_is_planned_not_delivered_and_not_counted(duty, xlt, ps):
    counted = by_office(service_hours([xlt.id, ps.id], APRIL, APRIL, today=date(2021, 4, 8)))

    assert counted == {(ASSOCIATION, xlt.id): (4, 14.0)}


def test_the_monthly_table_has_each_organisation_and_office_and_their_sums(duty):
    page = pages.monthly(pages.selected_offices(["XLT", "PS"]), APRIL)
    table = page.tables["service_hours"]

    rows = {row.label: [cell.text for cell in row.cells] for row in table.rows}
    assert rows[f"{ASSOCIATION} · 兴隆台区婚姻登记处"] == ["4", "14.0", "4", "14.0"]
    assert rows[f"{ASSOCIATION} · 盘山县婚姻登记处"] == ["2", "7.0", "2", "7.0"]
    assert rows[f"{SOCIAL_WORK} · 盘山县婚姻登记处"] == ["1", "3.5", "1", "3.5"]
    assert rows[""] == ["7", "24.5", "7", "24.5"]
    assert [str(group.title) for group, _columns in table.groups] == ["本月", "2021年3月以来"]


def test_the_dashboard_shows_service_hours_without_hiding_or_naming_anyone(
    client, civil_affairs, duty
):
    client.force_login(civil_affairs)

    html = client.get(reverse("reports:dashboard"), {"first": "2021-03", "last": "2021-05"}).text

    table = html[html.index('id="table-service_hours"') :]
    table = table[: table.index("</table>")]
    assert ASSOCIATION in table and SOCIAL_WORK in table
    assert ">3.5<" in table and ">24.5<" in table and "&lt;5" not in table
    assert 'id="def-service_hours"' in html
    for name in DUTY_COUNSELOR_NAMES:
        assert name not in html


def test_the_dashboard_says_so_when_no_duty_was_delivered(client, civil_affairs, pilot):
    client.force_login(civil_affairs)

    html = client.get(reverse("reports:dashboard"), {"first": "2021-03", "last": "2021-05"}).text

    assert 'data-testid="no-service-hours"' in html


def test_the_exports_carry_the_service_hours(client, civil_affairs, duty):
    client.force_login(civil_affairs)
    period = {"first": "2021-04", "last": "2021-04"}

    csv = client.get(reverse("reports:dashboard-export", args=["csv"]), period)
    xlsx = client.get(reverse("reports:dashboard-export", args=["xlsx"]), period)

    lines = csv.content.decode("utf-8-sig").splitlines()
    assert f"{SOCIAL_WORK} · 盘山县婚姻登记处,1,3.5" in lines
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as archive:
        text = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    assert SOCIAL_WORK in text
    for name in DUTY_COUNSELOR_NAMES:
        assert name not in csv.content.decode("utf-8-sig") and name not in text


def test_the_monthly_pdf_prints_the_service_hours_table(duty):
    rendered, _page, _context = pdf.monthly_report(pages.selected_offices(), APRIL)

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf)).pages)
    flat = text.replace(" ", "").replace("\n", "")
    assert "咨询师服务时长" in flat
    assert ASSOCIATION in flat and "24.5" in flat
    for name in DUTY_COUNSELOR_NAMES:
        assert name not in text
