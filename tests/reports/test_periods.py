"""Reporting periods and the official document's small parts: pure, no database."""

from datetime import date

import pytest
from django.utils import translation

from mediation.calendar import OfficialCalendar
from reports import document, periods
from reports.periods import Kind, Period, Preset

OPENED = date(2021, 3, 1)


def months(first: str, last: str) -> Period:
    return Period(date.fromisoformat(first + "-01"), date.fromisoformat(last + "-01"))


@pytest.mark.parametrize(
    ("today", "preset", "expected"),
    [
        # The first days of a year: last month is December, this quarter and this year are
        # January so far, since opening runs over the year end.
        (date(2022, 1, 5), Preset.LAST_MONTH, months("2021-12", "2021-12")),
        (date(2022, 1, 5), Preset.THIS_QUARTER, months("2022-01", "2022-01")),
        (date(2022, 1, 5), Preset.THIS_YEAR, months("2022-01", "2022-01")),
        (date(2022, 1, 5), Preset.SINCE_OPENING, months("2021-03", "2022-01")),
        # The last day of a year: the fourth quarter and the whole year so far.
        (date(2021, 12, 31), Preset.LAST_MONTH, months("2021-11", "2021-11")),
        (date(2021, 12, 31), Preset.THIS_QUARTER, months("2021-10", "2021-12")),
        (date(2021, 12, 31), Preset.THIS_YEAR, months("2021-01", "2021-12")),
        (date(2021, 8, 20), Preset.THIS_QUARTER, months("2021-07", "2021-08")),
    ],
)
def test_presets_give_the_right_periods_around_a_year_end(today, preset, expected):
    assert periods.preset(preset, today, OPENED) == expected


def test_the_dashboard_opens_on_the_last_full_month():
    assert periods.last_full_month(date(2022, 1, 1)) == months("2021-12", "2021-12")
    assert periods.last_full_month(date(2021, 9, 30)) == months("2021-08", "2021-08")


@pytest.mark.parametrize(
    ("period", "label", "kind"),
    [
        (months("2021-08", "2021-08"), "2021年8月", Kind.MONTH),
        (months("2021-07", "2021-09"), "2021年第三季度", Kind.QUARTER),
        (months("2021-01", "2021-12"), "2021年", Kind.YEAR),
        (months("2021-03", "2021-08"), "2021年3月至2021年8月", Kind.RANGE),
        (months("2021-08", "2021-10"), "2021年8月至2021年10月", Kind.RANGE),
    ],
)
def test_a_period_is_named_as_a_chinese_reader_expects(period, label, kind):
    with translation.override("zh-hans"):
        assert period.label == label
    assert period.kind is kind


def test_a_period_is_compared_with_the_one_before_and_the_same_a_year_earlier():
    assert months("2021-01", "2021-01").previous() == months("2020-12", "2020-12")
    assert months("2021-01", "2021-03").previous() == months("2020-10", "2020-12")
    assert months("2021-03", "2021-08").previous() == months("2020-09", "2021-02")
    assert months("2021-07", "2021-09").year_before() == months("2020-07", "2020-09")


def test_a_period_is_whole_months():
    with pytest.raises(ValueError, match="first day"):
        Period(date(2021, 8, 2), date(2021, 8, 1))
    with pytest.raises(ValueError, match="before it starts"):
        months("2021-08", "2021-07")


# 2021: National Day 1-7 October with Saturday 9 October a make-up working day; New Year
# 2022 on 1-3 January.
CALENDAR = OfficialCalendar(
    rest_days=frozenset(
        [date(2021, 10, d) for d in range(1, 8)] + [date(2022, 1, d) for d in (1, 2, 3)]
    ),
    makeup_workdays=frozenset({date(2021, 9, 26), date(2021, 10, 9)}),
    loaded_years=frozenset({2021, 2022}),
)


def test_the_schedule_makes_each_report_on_its_first_working_day():
    assert periods.due_reports(date(2021, 10, 7), CALENDAR) == []
    assert periods.due_reports(date(2021, 10, 8), CALENDAR) == [
        months("2021-09", "2021-09"),
        months("2021-07", "2021-09"),
    ]
    assert periods.due_reports(date(2021, 11, 1), CALENDAR) == [months("2021-10", "2021-10")]
    assert periods.due_reports(date(2022, 1, 3), CALENDAR) == []
    assert periods.due_reports(date(2022, 1, 4), CALENDAR) == [
        months("2021-12", "2021-12"),
        months("2021-10", "2021-12"),
        months("2021-01", "2021-12"),
    ]


def test_the_document_number_follows_the_pattern():
    assert document.document_number(2021, 8, "盘民调〔{year}〕{number}号") == "盘民调〔2021〕8号"
    assert document.pattern_problem("盘民调〔{year}〕{number}号") == ""
    assert document.pattern_problem("盘民调{number}号") != ""
    assert document.pattern_problem("{year}-{number}-{who}") != ""
    assert document.pattern_problem("{year") != ""


def test_dates_and_section_numbers_are_written_as_official_documents_write_them():
    assert document.chinese_date(date(2021, 9, 1)) == "2021年9月1日"
    numerals = [document.chinese_numeral(n) for n in (1, 9, 10, 11, 20, 21, 99)]
    assert numerals == ["一", "九", "十", "十一", "二十", "二十一", "九十九"]
