"""The published tables of one page or report, built from monthly counts and suppressed together.
Pure (no query): imports the figure catalogue, suppression, the calendar and counselors' entries.

Counts and office descriptions in, tables of display cells out. Every count of couples or
parties shown on the page is registered here under one key (figure, office or ALL, period), so
the suppression sees every sum a reader could form (reports/suppression.py). Service hours
describe duty, not people, and get a table of their own (`hours_table`).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from counselors.selectors import ServiceHours
from mediation.calendar import months_between

from .figure_types import ALL, Column, Counts, Group, Rate
from .figures import RATES, SERVICE_HOURS, SUMS
from .suppression import Relation, State, display, suppress

Period = tuple[date, date]
Key = tuple[str, str, Period]


@dataclass(frozen=True)
class OfficeRef:
    id: int
    code: str
    name: str


@dataclass
class Cell:
    key: Key
    value: int
    state: State = State.SHOWN

    @property
    def text(self) -> str:
        return display(self.value, self.state)

    @property
    def shown(self) -> bool:
        return self.state is State.SHOWN

    @property
    def number(self) -> int | None:
        """The value where it may be shown, else None (charts and exports use this)."""
        return self.value if self.shown else None


class HoursCell(Cell):
    """Hours with one decimal (half-days are 3.5 hours)."""

    @property
    def text(self) -> str:
        return f"{self.value:.1f}"


@dataclass
class Row:
    label: str
    cells: list[Cell]
    is_total: bool = False
    code: str = ""
    is_subtotal: bool = False
    anchor: str = ""  # where the row's figure is defined, when rows are figures


@dataclass
class Table:
    key: str
    title: str
    groups: list[tuple[Group, tuple[Column, ...]]]
    rows: list[Row] = field(default_factory=list)
    row_heading: str = ""
    column_links: bool = True  # False when columns are periods, not figures

    @property
    def columns(self) -> list[Column]:
        return [column for _group, columns in self.groups for column in columns]

    @property
    def group_header(self) -> bool:
        """A row of group headings, unless it would only repeat the table's title."""
        return not (len(self.groups) == 1 and str(self.groups[0][0].title) == str(self.title))


@dataclass
class RateValue:
    rate: Rate
    scope: str
    numerator: int
    denominator: int
    visible: bool

    @property
    def text(self) -> str:
        if not self.visible:
            return "—"
        if not self.denominator:
            return "—"
        return f"{100 * self.numerator / self.denominator:.1f}%"


class Publication:
    """Collects the cells of every table, then suppresses them all at once (`finish`)."""

    def __init__(self, counts: Counts, offices: list[OfficeRef]):
        self.offices = offices
        self.by_figure: dict[tuple[str, int], dict[date, int]] = defaultdict(dict)
        for (figure, office_id, month), n in counts.items():
            self.by_figure[(figure, office_id)][month] = n
        self.cells: dict[Key, Cell] = {}
        self.tables: list[Table] = []
        self.finished = False

    # --- values ----------------------------------------------------------------------------
    def value(self, figure: str, scope: str, period: Period) -> int:
        if figure in SUMS:
            return sum(self.value(part, scope, period) for part in SUMS[figure])
        offices = self.offices if scope == ALL else [o for o in self.offices if o.code == scope]
        first, last = period
        total = 0
        for office in offices:
            for month, n in self.by_figure.get((figure, office.id), {}).items():
                if first <= month <= last:
                    total += n
        return total

    def cell(self, figure: str, scope: str, period: Period) -> Cell:
        key = (figure, scope, period)
        if key not in self.cells:
            self.cells[key] = Cell(key, self.value(figure, scope, period))
        return self.cells[key]

    # --- tables ----------------------------------------------------------------------------
    def office_table(
        self, key: str, title: str, groups: list[Group], period: Period, row_heading: str = ""
    ) -> Table:
        """Offices as rows (and a total row), the groups' columns (and totals) as columns."""
        table = Table(key, title, [(g, g.all_columns) for g in groups], row_heading=row_heading)
        for office in self.offices:
            table.rows.append(
                Row(
                    office.name,
                    [self.cell(c.key, office.code, period) for c in table.columns],
                    code=office.code,
                )
            )
        table.rows.append(
            Row("", [self.cell(c.key, ALL, period) for c in table.columns], is_total=True)
        )
        self.tables.append(table)
        return table

    def trend_table(
        self,
        key: str,
        title: str,
        columns: list[Column],
        months: list[date],
        row_heading="",
        labels: list[str] | None = None,
    ) -> Table:
        """Months as rows (all offices together) and their sum over the months as total row."""
        group = Group(key, title, title, tuple(columns), defined=False)
        table = Table(key, title, [(group, tuple(columns))], row_heading=row_heading)
        labels = labels or [f"{month.year}-{month.month:02d}" for month in months]
        for month, label in zip(months, labels, strict=True):
            period = (month, month)
            table.rows.append(
                Row(
                    label,
                    [self.cell(c.key, ALL, period) for c in columns],
                    code=month.isoformat(),
                )
            )
        if months:
            period = (months[0], months[-1])
            table.rows.append(
                Row("", [self.cell(c.key, ALL, period) for c in columns], is_total=True)
            )
        self.tables.append(table)
        return table

    def comparison_table(
        self,
        key: str,
        title: str,
        figures: Iterable[Column],
        periods: list[tuple[str, Period]],
        row_heading: str = "",
    ) -> Table:
        """Figures as rows (all offices together), one column per period: this period, the one
        before, the same one a year earlier."""
        columns = tuple(
            Column(f"{key}.{index}", label) for index, (label, _p) in enumerate(periods)
        )
        group = Group(key, title, title, columns, defined=False)
        table = Table(key, title, [(group, columns)], row_heading=row_heading, column_links=False)
        for figure in figures:
            cells = [self.cell(figure.key, ALL, period) for _label, period in periods]
            table.rows.append(Row(str(figure.label), cells, code=figure.key, anchor=figure.anchor))
        self.tables.append(table)
        return table

    def crosstab(
        self, key: str, title: str, group: Group, rows, columns, period: Period, row_heading=""
    ) -> Table:
        """A two-way table for all offices: `rows` and `columns` are (key, label) pairs and the
        figure of a cell is f"{group.key}.{column}.{row}"; margins are sums of the SUMS."""
        if group.total is None:
            raise ValueError(f"{group.key}: a cross table needs the group's total column")
        header = (*(Column(f"{group.key}.{c}", label) for c, label in columns), group.total)
        table = Table(key, title, [(group, header)], row_heading=row_heading)
        for row_key, label in rows:
            cells = [self.cell(f"{group.key}.{c}.{row_key}", ALL, period) for c, _ in columns]
            cells.append(self.cell(f"{group.key}.education.{row_key}", ALL, period))
            table.rows.append(Row(str(label), cells, code=row_key))
        table.rows.append(
            Row("", [self.cell(column.key, ALL, period) for column in header], is_total=True)
        )
        self.tables.append(table)
        return table

    def rate(self, rate: Rate, scope: str, period: Period) -> RateValue:
        numerator = sum(self.value(f, scope, period) for f in rate.numerator)
        denominator = sum(self.value(f, scope, period) for f in rate.denominator)
        visible = all(
            self._derivable_from_shown(f, scope, period) for f in rate.numerator + rate.denominator
        )
        return RateValue(rate, scope, numerator, denominator, visible)

    def rates(self, scope: str, period: Period) -> list[RateValue]:
        return [self.rate(rate, scope, period) for rate in RATES]

    def _derivable_from_shown(self, figure: str, scope: str, period: Period) -> bool:
        cell = self.cells.get((figure, scope, period))
        if cell is not None:
            return cell.shown
        if figure in SUMS:
            return all(self._derivable_from_shown(p, scope, period) for p in SUMS[figure])
        return False

    # --- suppression -----------------------------------------------------------------------
    def relations(self) -> list[Relation]:
        """Every sum among published cells: offices into the total, parts into their sum,
        months into the period."""
        keys = set(self.cells)
        relations = []
        for figure, scope, period in keys:
            if scope == ALL and len(self.offices) > 1:
                parts = tuple((figure, office.code, period) for office in self.offices)
                if all(part in keys for part in parts):
                    relations.append(Relation((figure, scope, period), parts))
            if figure in SUMS:
                parts = tuple((part, scope, period) for part in SUMS[figure])
                if all(part in keys for part in parts):
                    relations.append(Relation((figure, scope, period), parts))
            if period[0] != period[1]:
                parts = tuple((figure, scope, (month, month)) for month in months_between(*period))
                if all(part in keys for part in parts):
                    relations.append(Relation((figure, scope, period), parts))
        return relations

    def finish(self) -> "Publication":
        values = {key: cell.value for key, cell in self.cells.items()}
        states = suppress(values, self.relations())
        for key, cell in self.cells.items():
            cell.state = states[key]
        self.finished = True
        return self

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


HoursSums = dict[tuple[str | None, int | None, Period], list]


def _hours_sums(
    entries: Iterable[ServiceHours], office_ids: set[int], periods: list[Period]
) -> tuple[HoursSums, dict[str, set[int]]]:
    """Delivered half-days and hours per (organisation or None, office or None, period), and
    the offices each organisation served. Planned duty (after today) is not counted."""
    sums: HoursSums = {}
    served: dict[str, set[int]] = {}
    for entry in entries:
        if entry.office_id not in office_ids or not entry.delivered_half_days:
            continue
        served.setdefault(entry.organisation, set()).add(entry.office_id)
        # Each period once: in the rooms' first month, "this month" and "since" are the same.
        for period in dict.fromkeys(periods):
            if not period[0] <= entry.month <= period[1]:
                continue
            for scope in (
                (entry.organisation, entry.office_id),
                (entry.organisation, None),
                (None, None),
            ):
                total = sums.setdefault((*scope, period), [0, 0.0])
                total[0] += entry.delivered_half_days
                total[1] += entry.delivered_hours
    return sums, served


def hours_table(
    key: str,
    title: str,
    entries: Iterable[ServiceHours],
    offices: list[OfficeRef],
    periods: list[tuple[str, Period]],
    *,
    row_heading: str = "",
    all_offices: str = "",
) -> Table:
    """Organisation × office as rows (with each organisation's sum over its offices when it
    serves several, and a total row), delivered half-days and hours for each of `periods` as
    columns. Never suppressed: these are hours of duty, not counts of people (SERVICE_HOURS)."""
    names = {office.id: office.name for office in offices}
    rank = {office.id: index for index, office in enumerate(offices)}
    sums, served = _hours_sums(entries, set(names), [period for _label, period in periods])

    def cells(organisation: str | None, office_id: int | None) -> list[Cell]:
        row = []
        for _label, period in periods:
            half_days, hours = sums.get((organisation, office_id, period), (0, 0.0))
            scope = f"{organisation or ALL}|{office_id or ALL}"
            row.append(Cell(("service_hours.half_days", scope, period), half_days))
            row.append(HoursCell(("service_hours.hours", scope, period), hours))
        return row

    groups = [
        (
            Group(
                SERVICE_HOURS.key,
                label,
                SERVICE_HOURS.definition,
                SERVICE_HOURS.columns,
                None,
                defined=False,
            ),
            SERVICE_HOURS.columns,
        )
        for label, _period in periods
    ]
    table = Table(key, title, groups, row_heading=row_heading)
    for organisation, office_ids in served.items():
        for office_id in sorted(office_ids, key=rank.__getitem__):
            table.rows.append(
                Row(f"{organisation} · {names[office_id]}", cells(organisation, office_id))
            )
        if len(office_ids) > 1:
            table.rows.append(
                Row(f"{organisation} · {all_offices}", cells(organisation, None), is_subtotal=True)
            )
    table.rows.append(Row("", cells(None, None), is_total=True))
    return table
