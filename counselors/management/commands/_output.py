"""Shared printing for the rotation commands."""

from django.utils.translation import gettext as _

from counselors.models import CoverageRule, HalfDay, Roster, RosterGap
from counselors.services.solving import calendar_for
from mediation.calendar import month_days


def describe(stdout, roster: Roster) -> None:
    """Per office: covered and uncovered half-days; then the solver status, time and gaps."""
    roster.refresh_from_db()
    stdout.write(
        _("%(city)s %(month)s (%(kind)s, roster %(id)s): %(status)s, %(seconds)s s")
        % {
            "city": roster.city,
            "month": f"{roster.month:%Y-%m}",
            "kind": roster.get_kind_display(),
            "id": roster.pk,
            "status": roster.get_solver_status_display(),
            "seconds": f"{roster.solve_seconds or 0:.2f}",
        }
    )
    if roster.solver_status == Roster.Solver.FAILED:
        stdout.write(roster.error.splitlines()[0] if roster.error else "")
        return
    gaps = list(roster.gaps.select_related("office"))
    offices = {}
    for code in roster.office_codes:
        offices[code] = {"short": 0, "qualified": 0}
    for gap in gaps:
        entry = offices.setdefault(gap.office.code, {"short": 0, "qualified": 0})
        entry["short" if gap.kind == RosterGap.Kind.COVERAGE else "qualified"] += 1
    needed = roster_demand(roster)
    for code in sorted(offices):
        total = needed.get(code, 0)
        short = offices[code]["short"]
        stdout.write(
            "  "
            + _(
                "%(office)s: %(covered)s of %(total)s half-days covered, %(short)s uncovered, "
                "%(qualified)s without a qualified counsellor"
            )
            % {
                "office": code,
                "covered": total - short,
                "total": total,
                "short": short,
                "qualified": offices[code]["qualified"],
            }
        )
    for gap in gaps:
        stdout.write(
            f"    {gap.day} {HalfDay(gap.half_day).label} {gap.office.code} "
            f"{gap.get_kind_display()}: {gap.explanation()}"
        )


def roster_demand(roster: Roster) -> dict[str, int]:
    """Working half-days that need cover, per office (from the coverage rules)."""
    calendar = calendar_for(roster.month)
    days = [d for d in month_days(roster.month) if calendar.is_working_day(d)]
    result = {}
    for rule in CoverageRule.objects.filter(
        office__city=roster.city, office__code__in=roster.office_codes
    ).select_related("office"):
        result[rule.office.code] = len(days) * (
            (1 if rule.needed_am else 0) + (1 if rule.needed_pm else 0)
        )
    return result
