"""Registry outcomes inside their legal windows (Civil Code art. 1077; mediation/clock.py
window_for and services/outcomes.py): each edge around the 2026 National Day holiday and the
2025/2026 year end."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from mediation import clock, services
from mediation.models import Case, OfficialCalendarYear, OutcomeKind
from tests.factories import open_divorce_case
from tests.helpers import error_codes

# Received Tue 1 Sep 2026: day 30 is 1 October (National Day, 1-7 Oct) -> cooling-off ends
# Thu 8 Oct; the certificate window runs Fri 9 Oct to Mon 9 Nov (day 30 is Sat 7 Nov).
NATIONAL_DAY = {
    "received": date(2026, 9, 1),
    "cooling_off_end": date(2026, 10, 8),
    "window_first": date(2026, 10, 9),
    "window_last": date(2026, 11, 9),
}
# Received Tue 2 Dec 2025: day 30 is New Year's Day 2026 (1-3 Jan) -> cooling-off ends Sun
# 4 Jan, a make-up working day; the certificate window runs Mon 5 Jan to Tue 3 Feb 2026.
YEAR_END = {
    "received": date(2025, 12, 2),
    "cooling_off_end": date(2026, 1, 4),
    "window_first": date(2026, 1, 5),
    "window_last": date(2026, 2, 3),
}
EDGES = [NATIONAL_DAY, YEAR_END]


def close(case, kind, day, counselor):
    return services.close_case(case=case, kind=kind, decided_on=day, recorded_by=counselor)


@pytest.fixture(params=EDGES, ids=["national-day-2026", "year-end-2025"])
def edge(request, counselor, xlt):
    dates = request.param
    case = open_divorce_case(xlt, counselor, received_on=dates["received"])
    assert (case.cooling_off_ends_on, case.certificate_window_ends_on) == (
        dates["cooling_off_end"],
        dates["window_last"],
    )
    return case, dates


def test_the_pure_windows_follow_the_deadlines(db):
    calendar = OfficialCalendarYear.objects.calendar()
    deadlines = clock.deadlines(date(2026, 9, 1), calendar)

    reconciled = clock.window_for("reconciled", deadlines)
    divorced = clock.window_for("divorced", deadlines)
    lapsed = clock.window_for("lapsed", deadlines)

    assert (reconciled.first, reconciled.last) == (date(2026, 9, 1), date(2026, 10, 8))
    assert (divorced.first, divorced.last) == (date(2026, 10, 9), date(2026, 11, 9))
    assert (lapsed.first, lapsed.last) == (date(2026, 11, 9), date(2026, 11, 9))
    assert clock.window_for("declined", deadlines) is None
    assert clock.window_for("referred", deadlines) is None


def test_divorced_on_the_last_day_of_cooling_off_is_refused_with_the_window(edge, counselor):
    case, dates = edge

    with pytest.raises(ValidationError) as error:
        close(case, OutcomeKind.DIVORCED, dates["cooling_off_end"], counselor)

    assert error_codes(error.value) == {"outside_window"}
    message = error.value.error_dict["decided_on"][0].messages[0]
    first, last = dates["window_first"], dates["window_last"]
    assert message == (
        f"离婚证只能在{first.year}年{first.month}月{first.day}日至"
        f"{last.year}年{last.month}月{last.day}日之间领取。"
    )
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_divorced_on_the_first_day_of_the_certificate_window_is_accepted(edge, counselor):
    case, dates = edge

    outcome = close(case, OutcomeKind.DIVORCED, dates["window_first"], counselor)

    assert outcome.kind == OutcomeKind.DIVORCED
    assert not outcome.provisional


def test_divorced_on_the_last_day_of_the_certificate_window_is_accepted(edge, counselor):
    case, dates = edge

    outcome = close(case, OutcomeKind.DIVORCED, dates["window_last"], counselor)

    assert outcome.decided_on == dates["window_last"]


def test_divorced_the_day_after_the_certificate_window_is_refused(edge, counselor):
    case, dates = edge
    day_after = date.fromordinal(dates["window_last"].toordinal() + 1)

    with pytest.raises(ValidationError) as error:
        close(case, OutcomeKind.DIVORCED, day_after, counselor)

    assert error_codes(error.value) == {"outside_window"}


def test_a_withdrawal_on_the_last_day_of_cooling_off_is_accepted(edge, counselor):
    case, dates = edge

    outcome = close(case, OutcomeKind.RECONCILED, dates["cooling_off_end"], counselor)

    assert outcome.kind == OutcomeKind.RECONCILED


def test_a_withdrawal_on_the_first_day_of_the_certificate_window_is_refused(edge, counselor):
    case, dates = edge

    with pytest.raises(ValidationError) as error:
        close(case, OutcomeKind.RECONCILED, dates["window_first"], counselor)

    assert error_codes(error.value) == {"outside_window"}
    assert "离婚冷静期" in error.value.messages[0]


def test_a_withdrawal_on_the_day_of_receipt_is_accepted(edge, counselor):
    case, dates = edge

    assert close(case, OutcomeKind.RECONCILED, dates["received"], counselor).pk


def test_the_clock_lapses_the_application_on_the_last_day_of_the_window(edge):
    case, dates = edge
    day_after = date.fromordinal(dates["window_last"].toordinal() + 1)

    services.mark_lapsed_cases(today=day_after)

    case.refresh_from_db()
    assert case.outcome.kind == OutcomeKind.LAPSED
    assert case.outcome.decided_on == dates["window_last"]
