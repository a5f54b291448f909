"""What the statistics publish for a scope (offices) and a period: one suppressed Publication that
the dashboard, the PDF report and the CSV and Excel exports all render.
May import the figure catalogue, periods, the counting (rollup, queries), tables and counselors'
selectors.

`build(offices, period)` is the only place that decides which cells exist for a scope and
period: the period's tables per office, the same since the rooms opened, the month-by-month
trend, the comparison with the previous period and the same period a year earlier, the women's
federation's figures. They are suppressed together, once, so every view of the same offices and
months hides the same cells (a view that shows fewer of them is as safe: it gives a reader
fewer sums to work with).
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from counselors.selectors import service_hours
from mediation.calendar import add_months, month_start, months_between
from mediation.models import RegistryOffice

from . import periods, rollup
from .figure_types import ALL, Column, Group
from .figures import (
    APPLICATIONS,
    EDUCATIONS,
    FOLLOW_UPS,
    FULIAN_GROUPS,
    FULIAN_TREND,
    KEY_FIGURES,
    MZT_GROUPS,
    OUTCOMES,
    PARTIES,
    REFERRALS,
    SERVICE_HOURS,
    SEXES,
    SUM_LABELS,
)
from .periods import Kind, Period
from .tables import Cell, OfficeRef, Publication, RateValue, Table, hours_table

# The month-by-month trend shows the period's months, and at least the twelve before its last
# month (so a single month is seen against the year before it), never months before opening.
TREND_MONTHS = 13


def office_refs(offices) -> list[OfficeRef]:
    return [OfficeRef(o.id, o.code, o.name) for o in offices]


def trend_columns() -> list[Column]:
    return [
        Column("cases.total", _("cases opened")),
        Column("applications.total", _("applications received")),
        Column("sessions.held", _("sessions held")),
        Column("outcomes.reconciled", SUM_LABELS["outcomes.reconciled"]),
        Column("outcomes.lapsed", SUM_LABELS["outcomes.lapsed"]),
    ]


def month_label(month: date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def comparison_labels(period: Period) -> tuple[str, str, str]:
    """本月 / 上月 / 去年同月, and the same for quarters, years and other periods."""
    kind = period.kind
    if kind is Kind.MONTH:
        return _("This month"), _("The month before"), _("Same month last year")
    if kind is Kind.QUARTER:
        return _("This quarter"), _("Previous quarter"), _("Same quarter last year")
    if kind is Kind.YEAR:
        return _("This year"), _("Previous year"), _("Previous year")
    return _("This period"), _("Previous period"), _("Same period last year")


@dataclass
class Page:
    publication: Publication
    offices: list[OfficeRef]
    period: Period
    opened: date  # the month the first of these rooms opened
    since: date  # where the cumulative figures start: opening, or the period if it is earlier
    trend_months: list[date]
    tables: dict[str, Table]
    rates: list[RateValue]
    reconciled: Cell  # reconciled couples over the period
    reconciled_since: Cell  # ... since the rooms opened (the same cell if that is the period)
    comparison_periods: list[tuple[str, Period]] = field(default_factory=list)
    cumulative_tables: dict[str, Table] = field(default_factory=dict)
    cumulative_rates: list[RateValue] = field(default_factory=list)

    @property
    def first(self) -> date:
        return self.period.first

    @property
    def last(self) -> date:
        return self.period.last

    @property
    def months(self) -> list[date]:
        return self.period.months

    @property
    def cumulative(self) -> Period | None:
        """Since the rooms opened, when that is longer than the period."""
        if self.since < self.period.first:
            return Period(self.since, self.period.last)
        return None

    @property
    def all_tables(self) -> list[Table]:
        """Every table, in the order the exports list them."""
        return [*self.tables.values(), *self.cumulative_tables.values()]


def _office_tables(publication: Publication, period, suffix: str) -> dict[str, Table]:
    office = _("Office")
    return {
        "mzt": publication.office_table(
            f"mzt{suffix}",
            _("Marriage and family counselling statistics (MZ/T 084)"),
            list(MZT_GROUPS),
            period,
            office,
        ),
        "applications": publication.office_table(
            f"applications{suffix}", str(APPLICATIONS.title), [APPLICATIONS], period, office
        ),
        "outcomes": publication.office_table(
            f"outcomes{suffix}", str(OUTCOMES.title), [OUTCOMES], period, office
        ),
        "follow_ups": publication.office_table(
            f"follow_ups{suffix}", str(FOLLOW_UPS.title), [FOLLOW_UPS], period, office
        ),
        "referrals": publication.office_table(
            f"referrals{suffix}", str(REFERRALS.title), [REFERRALS], period, office
        ),
        "fulian": publication.office_table(
            f"fulian{suffix}",
            _("The women's federation's figures"),
            list(FULIAN_GROUPS),
            period,
            office,
        ),
    }


def _cumulative_tables(publication: Publication, period) -> dict[str, Table]:
    office = _("Office")
    return {
        "applications": publication.office_table(
            "applications_cum", str(APPLICATIONS.title), [APPLICATIONS], period, office
        ),
        "outcomes": publication.office_table(
            "outcomes_cum", str(OUTCOMES.title), [OUTCOMES], period, office
        ),
        "fulian": publication.office_table(
            "fulian_cum",
            _("The women's federation's figures"),
            list(FULIAN_GROUPS),
            period,
            office,
        ),
        "comparison": _comparison(publication, period, "comparison_cum"),
        "parties": _parties(publication, period, "parties_cum"),
    }


def _comparison(publication: Publication, period, key: str) -> Table:
    column = Column("outcomes.reconciled", SUM_LABELS["outcomes.reconciled"])
    group = Group(
        key, _("Reconciled couples by office"), OUTCOMES.definition, (column,), defined=False
    )
    return publication.office_table(
        key, _("Reconciled couples by office"), [group], period, _("Office")
    )


def _parties(publication: Publication, period, key: str) -> Table:
    return publication.crosstab(
        key,
        str(PARTIES.title),
        PARTIES,
        rows=EDUCATIONS,
        columns=SEXES,
        period=period,
        row_heading=_("Education"),
    )


def _hours(refs: list[OfficeRef], columns: list[tuple[str, tuple[date, date]]]) -> Table:
    """Service hours, read live from the published rosters (small; not in the summary table)."""
    first = min(period[0] for _label, period in columns)
    last = max(period[1] for _label, period in columns)
    return hours_table(
        "service_hours",
        str(SERVICE_HOURS.title),
        service_hours([o.id for o in refs], first, last),
        refs,
        columns,
        row_heading=_("Organisation · office"),
        all_offices=_("all offices"),
    )


def opened_month(offices, fallback: date) -> date:
    """The month the first of these rooms opened (`fallback` when none says)."""
    opened = [o.opened_on for o in offices if o.opened_on]
    return month_start(min(opened)) if opened else month_start(fallback)


def trend_window(since: date, period: Period) -> list[date]:
    start = min(period.first, add_months(period.last, -(TREND_MONTHS - 1)))
    return months_between(max(since, start), period.last)


def build(offices, period: Period) -> Page:
    """Every published figure for these offices and this period, suppressed together."""
    refs = office_refs(offices)
    opened = opened_month(offices, period.first)
    since = min(opened, period.first)
    trend_months = trend_window(since, period)
    this, previous, year_before = comparison_labels(period)
    comparison_periods = [(f"{this}（{period.label}）", period)]
    for label, other in ((previous, period.previous()), (year_before, period.year_before())):
        if all(other != seen for _label, seen in comparison_periods):
            comparison_periods.append((f"{label}（{other.label}）", other))

    first_needed = min([since, *(p.first for _label, p in comparison_periods)])
    counts = rollup.counts([o.id for o in refs], first_needed, period.last)
    publication = Publication(counts, refs)
    key = period.key
    tables = _office_tables(publication, key, "")
    tables["comparison"] = _comparison(publication, key, "comparison")
    tables["key_figures"] = publication.comparison_table(
        "key_figures",
        _("Key figures compared"),
        KEY_FIGURES,
        [(label, p.key) for label, p in comparison_periods],
        _("Figure"),
    )
    labels = [month_label(month) for month in trend_months]
    tables["trend"] = publication.trend_table(
        "trend", _("Month by month"), trend_columns(), trend_months, _("Month"), labels
    )
    tables["fulian_trend"] = publication.trend_table(
        "fulian_trend",
        _("The women's federation's figures, month by month"),
        list(FULIAN_TREND),
        trend_months,
        _("Month"),
        labels,
    )
    tables["parties"] = _parties(publication, key, "parties")
    cumulative = Period(since, period.last) if since < period.first else None
    cumulative_tables = _cumulative_tables(publication, cumulative.key) if cumulative else {}
    hours_columns = [(comparison_labels(period)[0], key)]
    if cumulative:
        since_label = _("Since %(month)s") % {"month": month_label(since)}
        hours_columns.append((since_label, cumulative.key))
    tables["service_hours"] = _hours(refs, hours_columns)
    reconciled = publication.cell("outcomes.reconciled", ALL, key)
    reconciled_since = publication.cell(
        "outcomes.reconciled", ALL, cumulative.key if cumulative else key
    )
    publication.finish()
    return Page(
        publication,
        refs,
        period,
        opened,
        since,
        trend_months,
        tables,
        publication.rates(ALL, key),
        reconciled,
        reconciled_since,
        comparison_periods=comparison_periods,
        cumulative_tables=cumulative_tables,
        cumulative_rates=publication.rates(ALL, cumulative.key) if cumulative else [],
    )


def dashboard(offices, first: date, last: date) -> Page:
    """The dashboard's page for the months from `first`'s to `last`'s."""
    return build(offices, Period(month_start(first), month_start(last)))


def monthly(offices, month: date) -> Page:
    """The monthly report's page (the same as the dashboard's for that month)."""
    return build(offices, periods.month(month))


def selected_offices(codes=None):
    offices = RegistryOffice.objects.order_by("code")
    if codes:
        offices = offices.filter(code__in=list(codes))
    return list(offices)
