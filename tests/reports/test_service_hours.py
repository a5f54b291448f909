"""Counsellor service hours per organisation and office: delivered duty of the published roster,
on the dashboard, in the monthly PDF and in the exports; never per counsellor. The duty app's
服务时长 page reads the same query (counselors.selectors.service_hours)."""

import io
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from pypdf import PdfReader

from counselors.selectors import service_hours
from reports import pages, pdf, periods
from tests.reports.conftest import DUTY_COUNSELOR_NAMES

APRIL = date(2021, 4, 1)
BEIJING = ZoneInfo("Asia/Shanghai")
# The first working day after the Labour Day holiday: April's duty is all delivered.
AFTER_APRIL = datetime(2021, 5, 6, 9, tzinfo=BEIJING)
ASSOCIATION = "盘锦市社会心理健康服务发展研究会"
SOCIAL_WORK = "盘锦市爱心公益社会工作服务中心"


def by_office(entries):
    return {
        (entry.organisation, entry.office_id): (entry.half_days, entry.hours) for entry in entries
    }


def delivered_by_office(entries):
    return {
        (entry.organisation, entry.office_id): (entry.delivered_half_days, entry.delivered_hours)
        for entry in entries
    }


def test_service_hours_count_half_days_of_the_published_roster_only(duty, xlt, ps, time_machine):
    time_machine.move_to(AFTER_APRIL, tick=False)

    entries = service_hours([xlt.id, ps.id], APRIL, APRIL)

    assert by_office(entries) == {
        (ASSOCIATION, xlt.id): (4, 14.0),
        (ASSOCIATION, ps.id): (2, 7.0),
        (SOCIAL_WORK, ps.id): (1, 3.5),
    }
    assert delivered_by_office(entries) == by_office(entries)
    assert {entry.month for entry in entries} == {APRIL}


def test_duty_after_today_is_planned_not_delivered(duty, xlt, ps, time_machine):
    time_machine.move_to(datetime(2021, 4, 8, 18, tzinfo=BEIJING), tick=False)

    entries = service_hours([xlt.id, ps.id], APRIL, APRIL)

    assert by_office(entries) == {
        (ASSOCIATION, xlt.id): (4, 14.0),
        (ASSOCIATION, ps.id): (2, 7.0),
        (SOCIAL_WORK, ps.id): (1, 3.5),
    }
    assert delivered_by_office(entries) == {
        (ASSOCIATION, xlt.id): (4, 14.0),
        (ASSOCIATION, ps.id): (0, 0.0),
        (SOCIAL_WORK, ps.id): (0, 0.0),
    }
    table = pages.dashboard([xlt, ps], APRIL, APRIL).tables["service_hours"]
    assert [row.label for row in table.rows] == [f"{ASSOCIATION} · 兴隆台区婚姻登记处", ""]


def test_only_the_offices_asked_for_are_counted_in_a_fixed_order(duty, xlt, ps, time_machine):
    time_machine.move_to(AFTER_APRIL, tick=False)

    entries = service_hours([ps.id], APRIL, APRIL)

    assert {entry.partner for entry in entries} == {True}
    assert [(entry.organisation, entry.office) for entry in entries] == [
        (SOCIAL_WORK, "盘山县婚姻登记处"),
        (ASSOCIATION, "盘山县婚姻登记处"),
    ]


def test_the_duty_apps_page_shows_planned_and_delivered_hours_from_the_same_query(
    client, civil_affairs, duty, time_machine
):
    time_machine.move_to(datetime(2021, 4, 8, 18, tzinfo=BEIJING), tick=False)
    client.force_login(civil_affairs)

    html = client.get(reverse("counselors:service-hours"), {"month": "2021-04"}).text

    rows = [
        (ASSOCIATION, "兴隆台区婚姻登记处", 4, "14.0", "14.0"),
        (ASSOCIATION, "盘山县婚姻登记处", 2, "7.0", "0.0"),
        (SOCIAL_WORK, "盘山县婚姻登记处", 1, "3.5", "0.0"),
    ]
    for row in rows:
        assert "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" in html


def test_the_monthly_table_has_each_organisation_and_office_and_their_sums(duty, time_machine):
    time_machine.move_to(AFTER_APRIL, tick=False)

    page = pages.monthly(pages.selected_offices(["XLT", "PS"]), APRIL)
    table = page.tables["service_hours"]

    rows = {row.label: [cell.text for cell in row.cells] for row in table.rows}
    assert rows[f"{ASSOCIATION} · 兴隆台区婚姻登记处"] == ["4", "14.0", "4", "14.0"]
    assert rows[f"{ASSOCIATION} · 盘山县婚姻登记处"] == ["2", "7.0", "2", "7.0"]
    assert rows[f"{SOCIAL_WORK} · 盘山县婚姻登记处"] == ["1", "3.5", "1", "3.5"]
    assert rows[""] == ["7", "24.5", "7", "24.5"]
    assert [str(group.title) for group, _columns in table.groups] == ["本月", "2021年3月以来"]


def test_a_report_of_the_rooms_first_month_counts_its_hours_once(duty, time_machine):
    time_machine.move_to(AFTER_APRIL, tick=False)
    offices = pages.selected_offices(["XLT", "PS"])
    for office in offices:
        office.opened_on = APRIL

    page = pages.monthly(offices, APRIL)
    table = page.tables["service_hours"]

    rows = {row.label: [cell.text for cell in row.cells] for row in table.rows}
    assert rows[f"{ASSOCIATION} · 兴隆台区婚姻登记处"] == ["4", "14.0"]
    assert rows[""] == ["7", "24.5"]
    assert [str(group.title) for group, _columns in table.groups] == ["本月"]


def test_the_dashboard_shows_service_hours_without_hiding_or_naming_anyone(
    client, civil_affairs, duty, time_machine
):
    time_machine.move_to(AFTER_APRIL, tick=False)

    client.force_login(civil_affairs)

    html = client.get(reverse("reports:dashboard"), {"first": "2021-03", "last": "2021-05"}).text

    table = html[html.index('id="table-service_hours"') :]
    table = table[: table.index("</table>")]
    assert ASSOCIATION in table
    assert SOCIAL_WORK in table
    assert ">3.5<" in table
    assert ">24.5<" in table
    assert "&lt;5" not in table
    assert 'id="def-service_hours"' in html
    for name in DUTY_COUNSELOR_NAMES:
        assert name not in html


def test_the_dashboard_says_so_when_no_duty_was_delivered(client, civil_affairs, pilot):
    client.force_login(civil_affairs)

    html = client.get(reverse("reports:dashboard"), {"first": "2021-03", "last": "2021-05"}).text

    assert 'data-testid="no-service-hours"' in html


def test_the_exports_carry_the_service_hours(client, civil_affairs, duty, time_machine):
    time_machine.move_to(AFTER_APRIL, tick=False)

    client.force_login(civil_affairs)
    period = {"first": "2021-04", "last": "2021-04"}

    csv = client.get(reverse("reports:dashboard-export", args=["csv"]), period)
    xlsx = client.get(reverse("reports:dashboard-export", args=["xlsx"]), period)

    lines = csv.content.decode("utf-8-sig").splitlines()
    assert f"{SOCIAL_WORK} · 盘山县婚姻登记处,1,3.5,1,3.5" in lines
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as archive:
        text = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    assert SOCIAL_WORK in text
    for name in DUTY_COUNSELOR_NAMES:
        assert name not in csv.content.decode("utf-8-sig")
        assert name not in text


def test_the_monthly_pdf_prints_the_service_hours_table(duty, time_machine):
    time_machine.move_to(AFTER_APRIL, tick=False)

    rendered, _page, _context = pdf.report(
        pages.selected_offices(), periods.month(APRIL), pdf.Issue(draft=True)
    )

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf)).pages)
    flat = text.replace(" ", "").replace("\n", "")
    assert "咨询师服务时长" in flat
    assert ASSOCIATION in flat
    assert "24.5" in flat
    for name in DUTY_COUNSELOR_NAMES:
        assert name not in text
