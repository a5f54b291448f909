"""Entering a year of the State Council's notice and what it changes: provisional deadlines
become final (mediation/services/official_calendar.py)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from mediation import services
from mediation.models import AuditEvent, OfficialCalendarDay, OfficialCalendarYear
from tests.factories import open_divorce_case
from tests.helpers import error_codes

# The 2027 notice as these tests imagine it (the real one is entered when it is published).
HOLIDAYS_2027 = [
    (date(2027, 1, 1), date(2027, 1, 3), "元旦"),
    (date(2027, 2, 6), date(2027, 2, 14), "春节"),
]
MAKEUP_2027 = [date(2027, 2, 20)]
SOURCE_2027 = "国务院办公厅关于2027年部分节假日安排的通知（测试）"


def enter_2027(user, **changes):
    fields = {
        "year": 2027,
        "holidays": HOLIDAYS_2027,
        "makeup_workdays": MAKEUP_2027,
        "source": SOURCE_2027,
        "entered_by": user,
    }
    return services.enter_calendar_year(**(fields | changes))


def test_entering_a_year_stores_every_day_of_each_holiday_and_the_make_up_days(civil_affairs):
    year = enter_2027(civil_affairs)

    calendar = OfficialCalendarYear.objects.calendar([2027])
    assert year.origin == OfficialCalendarYear.Origin.ENTERED
    assert year.entered_by == civil_affairs
    assert calendar.knows(2027)
    assert all(calendar.is_rest_day(date(2027, 2, day)) for day in range(6, 15))
    assert calendar.is_working_day(date(2027, 2, 20))
    assert year.days.filter(kind=OfficialCalendarDay.Kind.REST).count() == 12


def test_a_case_whose_deadlines_reach_an_unloaded_year_is_provisional_and_recomputed_when_it_is_entered(
    counselor, civil_affairs, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 20))
    assert case.deadlines_provisional
    assert case.cooling_off_ends_on == date(2026, 12, 21)  # day 30 is Sunday 20 December
    assert case.certificate_window_ends_on == date(2027, 1, 20)

    enter_2027(
        civil_affairs,
        holidays=[
            (date(2027, 1, 1), date(2027, 1, 3), "元旦"),
            (date(2027, 1, 20), date(2027, 1, 21), "测试假日"),
        ],
        makeup_workdays=[],
    )

    case.refresh_from_db()
    assert not case.deadlines_provisional
    assert case.certificate_window_ends_on == date(2027, 1, 22)


def test_entering_a_year_recomputes_the_deadlines_in_the_same_transaction(
    counselor, civil_affairs, xlt
):
    open_divorce_case(xlt, counselor, received_on=date(2026, 11, 20))

    enter_2027(civil_affairs)

    entered, recomputed = AuditEvent.objects.filter(
        action__in=["calendar.enter", "case.deadlines.recompute"]
    ).order_by("seq")
    assert entered.action == "calendar.enter"
    assert recomputed.details == {"year": 2027, "changed": 1, "outcomes_mismatched": 0}


def test_a_refused_year_recomputes_nothing(counselor, civil_affairs, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 20))

    with pytest.raises(ValidationError) as refused:
        enter_2027(civil_affairs, source="")

    case.refresh_from_db()
    assert error_codes(refused.value) == {"no_source"}
    assert case.deadlines_provisional
    assert not AuditEvent.objects.filter(action="case.deadlines.recompute").exists()


def test_a_year_seeded_from_the_package_cannot_be_entered_again(civil_affairs):
    with pytest.raises(ValidationError) as refused:
        enter_2027(
            civil_affairs,
            year=2026,
            holidays=[(date(2026, 1, 1), date(2026, 1, 1), "元旦")],
            makeup_workdays=[],
        )

    assert error_codes(refused.value) == {"from_package"}
    assert "year" in refused.value.message_dict


def test_an_entered_year_is_replaced_only_when_asked(civil_affairs):
    enter_2027(civil_affairs)

    with pytest.raises(ValidationError) as refused:
        enter_2027(civil_affairs)
    enter_2027(civil_affairs, holidays=HOLIDAYS_2027[:1], makeup_workdays=[], replace=True)

    assert error_codes(refused.value) == {"already_loaded"}
    assert "year" in refused.value.message_dict
    assert OfficialCalendarDay.objects.filter(year__year=2027).count() == 3


def test_bad_notices_are_refused_with_every_problem_named_and_nothing_stored(civil_affairs):
    with pytest.raises(ValidationError) as refused:
        enter_2027(
            civil_affairs,
            holidays=[
                (date(2027, 1, 3), date(2027, 1, 1), "元旦"),
                (date(2026, 12, 31), date(2027, 1, 2), "跨年"),
                (date(2027, 2, 6), date(2027, 2, 14), "春节"),
                (date(2027, 2, 14), date(2027, 2, 15), "重复"),
            ],
            makeup_workdays=[date(2027, 3, 3), date(2027, 2, 13), date(2028, 1, 1)],
            source="  ",
        )

    errors = refused.value.message_dict
    assert len(errors["holidays"]) == 3
    assert len(errors["makeup_workdays"]) == 3
    assert "source" in errors
    assert error_codes(refused.value) == {
        "ends_before_start",
        "outside_year",
        "overlap",
        "not_weekend",
        "inside_holiday",
        "no_source",
    }
    assert not OfficialCalendarYear.objects.filter(year=2027).exists()


def test_a_holiday_without_a_name_and_a_notice_without_holidays_are_refused(civil_affairs):
    with pytest.raises(ValidationError) as unnamed:
        enter_2027(civil_affairs, holidays=[(date(2027, 1, 1), date(2027, 1, 1), " ")])
    with pytest.raises(ValidationError) as empty:
        enter_2027(civil_affairs, holidays=[])

    assert error_codes(unnamed.value) == {"no_name"}
    assert error_codes(empty.value) == {"no_holidays"}


def test_a_receipt_date_on_a_rest_day_warns_but_does_not_block(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 10, 3))

    assert case.pk
    assert "2026年10月3日（周六）是法定休息日" in services.rest_day_warning(case.received_on)
    assert services.rest_day_warning(date(2026, 10, 9)) == ""
    assert services.rest_day_warning(None) == ""
