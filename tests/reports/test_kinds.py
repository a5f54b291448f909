"""Quarterly and annual reports from the same pipeline as the monthly one, the schedule that
makes each on its first working day, and the women's federation's figures."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from mediation import services as case_services
from mediation.models import Category, FollowUp, OutcomeKind, Port, Purpose, Referral
from mediation.roles import Role
from reports import pages, periods, services
from reports.figure_types import ALL
from reports.models import MonthlyReport
from reports.queries import monthly_counts
from tests.factories import make_user

BEIJING = ZoneInfo("Asia/Shanghai")


def text_of(path) -> str:
    pages_text = (p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    return "\n".join(pages_text).replace(" ", "")


def test_the_quarterly_report_command(busy_month, tmp_path):
    output = tmp_path / "q2.pdf"

    call_command("quarterly_report", "--quarter", "2021-Q2", "--output", str(output))

    report = MonthlyReport.objects.get()
    assert (report.kind, report.month, report.last_month) == (
        "quarter",
        date(2021, 4, 1),
        date(2021, 6, 1),
    )
    text = text_of(output)
    assert "2021年第二季度婚姻家庭调解工作统计报告" in text
    assert "本季度（2021年第二季度）" in text
    assert "上季度（2021年第一季度）" in text
    with pytest.raises(CommandError, match="2021-Q3"):
        call_command("quarterly_report", "--quarter", "2021-5")


def test_the_annual_report_command_gives_the_years_months_and_the_offices(busy_month, tmp_path):
    output = tmp_path / "annual.pdf"

    call_command("annual_report", "--year", "2021", "--output", str(output), stdout=io.StringIO())

    report = MonthlyReport.objects.get()
    assert report.kind == "year"
    assert report.period == periods.year(2021)
    text = text_of(output)
    assert "2021年婚姻家庭调解工作统计报告" in text
    assert "自调解室2021年3月开设以来，已有8对夫妻和好。" in text
    assert all(f"2021年{month}月" in text for month in range(1, 13))
    assert "各登记处自开设以来和好夫妻对数" in text


def test_annual_figures_are_the_sum_of_the_months_where_nothing_is_hidden(busy_month):
    offices = pages.selected_offices()
    year = pages.build(offices, periods.year(2021))
    months = [pages.build(offices, periods.month(date(2021, m, 1))) for m in range(1, 13)]

    compared = 0
    for (figure, scope, period), cell in year.publication.cells.items():
        if period != periods.year(2021).key or not cell.shown:
            continue
        parts = [month.publication.cells.get((figure, scope, month.period.key)) for month in months]
        if all(part is not None and part.shown for part in parts):
            assert cell.value == sum(part.value for part in parts), (figure, scope)
            compared += 1
    assert compared > 20
    assert year.reconciled.text == "8"


def test_the_schedule_makes_the_quarter_and_the_year_on_their_first_working_days(busy_month):
    # 1 July 2021 was a Thursday: June's report and the second quarter's.
    made = services.scheduled_reports(today=date(2021, 7, 1))
    assert sorted((r.kind, r.month) for r in made) == [
        ("month", date(2021, 6, 1)),
        ("quarter", date(2021, 4, 1)),
    ]
    assert services.scheduled_reports(today=date(2021, 7, 2)) == []
    # 1-3 January 2022 were the New Year holiday: on the 4th, December, the fourth quarter and
    # the year.
    assert services.scheduled_reports(today=date(2022, 1, 3)) == []
    made = services.scheduled_reports(today=date(2022, 1, 4))
    assert sorted((r.kind, r.month) for r in made) == [
        ("month", date(2021, 12, 1)),
        ("quarter", date(2021, 10, 1)),
        ("year", date(2021, 1, 1)),
    ]
    assert all(r.scheduled and r.issuer == "定时任务" and r.number for r in made)


def test_no_report_is_scheduled_for_a_period_before_the_rooms_opened(busy_month):
    assert services.scheduled_reports(today=date(2021, 1, 4)) == []


def test_the_womens_federation_figures_are_counted_per_office_and_month(xlt, time_machine):
    counselor = make_user(Role.COUNSELOR, xlt, username="fulian_xlt", full_name="吴咨询")
    time_machine.move_to(datetime(2021, 4, 14, 10, tzinfo=BEIJING), tick=False)
    case = case_services.open_case(
        office=xlt,
        port=Port.DIVORCE,
        category=Category.MARITAL,
        opened_by=counselor,
        received_on=date(2021, 4, 14),
    )
    first, second = case.parties.order_by("position")
    for party in (first, second):
        for purpose in (Purpose.COUNSELLING, Purpose.FOLLOW_UP):
            case_services.record_consent(
                case=case, party=party, purpose=purpose, given=True, recorded_by=counselor
            )
    case_services.screen_party(
        party=first,
        answers=dict.fromkeys(case_services.SCREEN_QUESTIONS, False),
        screened_by=counselor,
    )
    case_services.refer(
        case=case,
        destination=Referral.Destination.LEGAL_AID,
        reason="财产问题",
        referred_on=date(2021, 4, 14),
        referred_by=counselor,
    )
    time_machine.move_to(datetime(2021, 4, 20, 16, tzinfo=BEIJING), tick=False)
    case_services.close_case(
        case=case,
        kind=OutcomeKind.RECONCILED,
        decided_on=date(2021, 4, 20),
        recorded_by=counselor,
    )
    time_machine.move_to(datetime(2021, 7, 25, 10, tzinfo=BEIJING), tick=False)
    call = FollowUp.objects.get(case=case, party=first, months=3)
    case_services.record_follow_up(
        follow_up=call,
        status=FollowUp.Status.DONE,
        recorded_by=counselor,
        done_on=date(2021, 7, 22),
        reconciliation_held=True,
    )

    counts = monthly_counts([xlt.id], date(2021, 4, 1), date(2021, 7, 1))

    april, july = date(2021, 4, 1), date(2021, 7, 1)
    assert counts[("screens.negative", xlt.id, april)] == 1
    assert ("screens.positive", xlt.id, april) not in counts
    assert counts[("referrals.legal_aid", xlt.id, april)] == 1
    assert counts[("referred_follow_ups.reached", xlt.id, july)] == 1
    page = pages.build([xlt], periods.Period(april, july))
    fulian = page.tables["fulian"]
    assert [column.key for column in fulian.columns] == [
        "screens.negative",
        "screens.positive",
        "screens.total",
        "referrals.womens_federation",
        "referrals.legal_aid",
        "referred_follow_ups.reached",
        "referred_follow_ups.unreachable",
        "referred_follow_ups.total",
    ]
    assert page.publication.value("screens.total", ALL, page.period.key) == 1
