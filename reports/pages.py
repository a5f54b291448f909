"""What the dashboard and the monthly report publish: which tables, for which periods.
May import the figure catalogue, the counting (rollup, queries), tables and counselors' selectors.

Loads counts (the summary table, or counted live) and builds one suppressed Publication per page,
so the page, its charts, the PDF and the exports all show the same cells.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from counselors.selectors import service_hours
from mediation.calendar import month_start, months_between
from mediation.models import RegistryOffice

from . import rollup
from .figures import (
    ALL,
    APPLICATIONS,
    EDUCATIONS,
    FOLLOW_UPS,
    MZT_GROUPS,
    OUTCOMES,
    PARTIES,
    REFERRALS,
    SERVICE_HOURS,
    SEXES,
    SUM_LABELS,
    Column,
    Group,
)
from .tables import Cell, OfficeRef, Publication, RateValue, Table, hours_table


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


@dataclass
class Page:
    publication: Publication
    offices: list[OfficeRef]
    first: date
    last: date
    tables: dict[str, Table]
    rates: list[RateValue]
    reconciled: Cell  # reconciled couples over the whole period

    @property
    def months(self) -> list[date]:
        return months_between(self.first, self.last)


def _office_tables(publication: Publication, period, suffix: str) -> dict[str, Table]:
    return {
        f"mzt{suffix}": publication.office_table(
            f"mzt{suffix}",
            _("Marriage and family counselling statistics (MZ/T 084)"),
            list(MZT_GROUPS),
            period,
            _("Office"),
        ),
        f"applications{suffix}": publication.office_table(
            f"applications{suffix}", str(APPLICATIONS.title), [APPLICATIONS], period, _("Office")
        ),
        f"outcomes{suffix}": publication.office_table(
            f"outcomes{suffix}", str(OUTCOMES.title), [OUTCOMES], period, _("Office")
        ),
        f"follow_ups{suffix}": publication.office_table(
            f"follow_ups{suffix}", str(FOLLOW_UPS.title), [FOLLOW_UPS], period, _("Office")
        ),
        f"referrals{suffix}": publication.office_table(
            f"referrals{suffix}", str(REFERRALS.title), [REFERRALS], period, _("Office")
        ),
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


def _hours(refs: list[OfficeRef], periods: list[tuple[str, tuple[date, date]]]) -> Table:
    """Service hours, read live from the published rosters (small; not in the summary table)."""
    first = min(period[0] for _label, period in periods)
    last = max(period[1] for _label, period in periods)
    return hours_table(
        "service_hours",
        str(SERVICE_HOURS.title),
        service_hours([o.id for o in refs], first, last),
        refs,
        periods,
        row_heading=_("Organisation · office"),
        all_offices=_("all offices"),
    )


def dashboard(offices, first: date, last: date) -> Page:
    """Figures for the chosen offices from the month of `first` to the month of `last`: per
    office over the whole period (cumulative since `first`), and month by month in total."""
    refs = office_refs(offices)
    months = months_between(first, last)
    first, last = months[0], months[-1]
    counts = rollup.counts([o.id for o in refs], first, last)
    publication = Publication(counts, refs)
    period = (first, last)
    tables = _office_tables(publication, period, "")
    tables["comparison"] = _comparison(publication, period, "comparison")
    tables["trend"] = publication.trend_table(
        "trend", _("Month by month"), trend_columns(), months, _("Month")
    )
    tables["parties"] = _parties(publication, period, "parties")
    tables["service_hours"] = _hours(refs, [(_("Over the period"), period)])
    reconciled = publication.cell("outcomes.reconciled", ALL, period)
    publication.finish()
    return Page(publication, refs, first, last, tables, publication.rates(ALL, period), reconciled)


@dataclass
class MonthlyPage(Page):
    since: date | None = None
    cumulative_tables: dict[str, Table] = field(default_factory=dict)
    cumulative_rates: list[RateValue] = field(default_factory=list)


def monthly(offices, month: date, since: date | None = None) -> MonthlyPage:
    """The monthly report: the month per office, the figures since the rooms opened (or
    `since`), and the months between as a trend."""
    refs = office_refs(offices)
    month = month_start(month)
    if since is None:
        opened = [o.opened_on for o in offices if o.opened_on]
        since = min(opened) if opened else month
    since = min(month_start(since), month)
    counts = rollup.counts([o.id for o in refs], since, month)
    publication = Publication(counts, refs)
    this_month, cumulative = (month, month), (since, month)
    tables = _office_tables(publication, this_month, "")
    cumulative_tables = {
        "applications": publication.office_table(
            "applications_cum", str(APPLICATIONS.title), [APPLICATIONS], cumulative, _("Office")
        ),
        "outcomes": publication.office_table(
            "outcomes_cum", str(OUTCOMES.title), [OUTCOMES], cumulative, _("Office")
        ),
        "comparison": _comparison(publication, cumulative, "comparison_cum"),
        "parties": _parties(publication, cumulative, "parties_cum"),
    }
    tables["trend"] = publication.trend_table(
        "trend", _("Month by month"), trend_columns(), months_between(since, month), _("Month")
    )
    since_label = _("Since %(month)s") % {"month": date_format(since, "YEAR_MONTH_FORMAT")}
    tables["service_hours"] = _hours(
        refs, [(_("This month"), this_month), (since_label, cumulative)]
    )
    reconciled = publication.cell("outcomes.reconciled", ALL, cumulative)
    publication.finish()
    return MonthlyPage(
        publication,
        refs,
        month,
        month,
        tables,
        publication.rates(ALL, this_month),
        reconciled,
        since=since,
        cumulative_tables=cumulative_tables,
        cumulative_rates=publication.rates(ALL, cumulative),
    )


def selected_offices(codes=None):
    offices = RegistryOffice.objects.order_by("code")
    if codes:
        offices = offices.filter(code__in=list(codes))
    return list(offices)
