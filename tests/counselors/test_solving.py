"""Solving a city's month (counselors.services.solving): the problem read from the database, the
stored roster with its figures, repairs that move only what must move, failures kept in sight."""

from datetime import date

from counselors.models import Roster, Unavailability
from counselors.services import availability, planning, publishing, solving
from tests.counselors.conftest import OCTOBER


def test_october_has_cover_on_the_make_up_saturday_and_none_in_the_national_day_holiday(
    published,
):
    days = set(published.duties.values_list("day", flat=True))

    assert date(2026, 10, 10) in days  # Saturday, a make-up working day
    assert not days & {date(2026, 10, d) for d in range(1, 8)}  # National Day holiday
    assert date(2026, 10, 11) not in days  # an ordinary Sunday
    assert published.solver_status == Roster.Solver.OPTIMAL
    assert published.gaps.count() == 0


def test_weekly_demand_and_capacity_are_stored_with_the_roster(published):
    weeks = {week["week_start"]: week for week in published.weeks}

    assert weeks["2026-10-05"]["demand"] == 12  # Thursday, Friday and the make-up Saturday
    assert weeks["2026-10-12"]["demand"] == 20
    assert all(week["covered"] == week["demand"] for week in published.weeks)


def test_duties_are_kept_to_one_place_per_half_day_and_inside_the_month(published):
    seen = set()
    for counselor, day, half in published.duties.values_list("counselor", "day", "half_day"):
        assert (counselor, day, half) not in seen
        seen.add((counselor, day, half))
    assert not published.duties.filter(day__gt=date(2026, 10, 31)).exists()


def test_a_plan_for_some_offices_keeps_the_other_offices_duties(published, civil_affairs):
    draft = planning.start_planning(
        city="盘锦市",
        month=OCTOBER,
        requested_by=civil_affairs,
        office_codes=["XLT"],
        enqueue=False,
    )
    solving.run_planning(roster=draft)

    def at_ps(roster):
        return set(
            roster.duties.filter(office__code="PS").values_list("counselor", "day", "half_day")
        )

    assert at_ps(draft) == at_ps(published)
    assert draft.duties.filter(office__code="XLT").exists()


def test_repair_after_a_five_day_absence_moves_only_the_absent_and_those_who_replace_them(
    published, team, civil_affairs
):
    absent = team[2]
    start, end = date(2026, 10, 12), date(2026, 10, 16)
    availability.record_unavailability(
        counselor=absent,
        kind=Unavailability.Kind.ABSENCE,
        start=start,
        end=end,
        entered_by=civil_affairs,
    )

    draft = planning.start_planning(
        city="盘锦市", month=OCTOBER, requested_by=civil_affairs, repair_from=start, enqueue=False
    )
    solving.run_planning(roster=draft)
    draft.refresh_from_db()

    changes = publishing.roster_changes(draft, published)
    lost = published.duties.filter(counselor=absent, day__gte=start, day__lte=end)
    removed = {(c.counselor.pk, c.day, c.half_day) for c in changes if not c.added}
    assert {(d.counselor_id, d.day, d.half_day) for d in lost} <= removed
    # Everyone else touched takes over a duty in the absence (this week is tight: a colleague
    # who may serve only one office frees someone who may serve both).
    replacing = {c.counselor.pk for c in changes if c.added and start <= c.day <= end}
    assert {c.counselor.pk for c in changes} - {absent.pk} <= replacing
    assert len(changes) <= 4 * lost.count()
    assert not draft.duties.filter(counselor=absent, day__gte=start, day__lte=end).exists()
    frozen = published.duties.filter(day__lt=start)
    assert draft.duties.filter(day__lt=start, pinned=True).count() == frozen.count()


def test_a_planning_failure_is_stored_on_the_draft_for_the_administrator(team, civil_affairs):
    # A draft for a year the official calendar does not know (made here without the service,
    # which refuses it up front), as if the year had been removed after the draft was queued.
    draft = Roster.objects.create(
        city="盘锦市",
        month=date(2027, 3, 1),
        office_codes=["PS", "XLT"],
        requested_by=civil_affairs,
    )

    result = solving.run_planning(roster=draft)

    draft.refresh_from_db()
    assert result is None
    assert draft.solver_status == Roster.Solver.FAILED
    assert "2027年的官方日历尚未录入" in draft.error
    assert not draft.duties.exists()


def test_a_draft_replaced_while_the_solver_ran_is_not_filled_in(team, civil_affairs):
    draft = planning.start_planning(
        city="盘锦市", month=OCTOBER, requested_by=civil_affairs, enqueue=False
    )
    Roster.objects.filter(pk=draft.pk).update(status=Roster.Status.RETIRED)

    solving.run_planning(roster=draft)

    assert not draft.duties.exists()
    assert not draft.gaps.exists()
