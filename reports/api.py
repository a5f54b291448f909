"""The statistics router of the REST API: the dashboard's suppressed cells for a scope (offices)
and a period (months). Schemas in, the reports' read path called, schemas out; counts only, with
the same small-count suppression as the dashboard (nothing here counts or hides on its own).
The door (token, scope) is wired by config/api.py; nothing imports this module but config.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from mediation.api_access import ApiError, ErrorOut, client_office
from mediation.models import ApiClient

from . import pages
from .figures import SUPPRESSION_DEFINITION
from .forms import DashboardForm, month_value
from .tables import Table

router = Router(tags=["statistics"])


class StatisticsQuery(Schema):
    offices: str = Field(
        default="", description="Office codes separated by commas (default: all of the token's)."
    )
    first: str = Field(default="", description="First month, YYYY-MM (default: since opening).")
    last: str = Field(default="", description="Last month, YYYY-MM (default: this month).")


class CellOut(Schema):
    figure: str = Field(description="The figure's key in the catalogue, e.g. outcomes.reconciled.")
    display: str = Field(description="As printed: a number, '<5', or '×' where it is hidden.")
    value: int | float | None = Field(
        description="The count where it may be shown, else null (service hours have decimals)."
    )


class RowOut(Schema):
    label: str = Field(description="An office, a month or a category.")
    total: bool
    cells: list[CellOut]


class ColumnOut(Schema):
    figure: str
    label: str


class TableOut(Schema):
    key: str
    title: str
    row_heading: str
    columns: list[ColumnOut]
    rows: list[RowOut]


class RateOut(Schema):
    key: str
    label: str
    display: str


class StatisticsOut(Schema):
    offices: list[str]
    first: str = Field(description="YYYY-MM")
    last: str = Field(description="YYYY-MM")
    tables: list[TableOut]
    rates: list[RateOut]
    suppression: str = Field(description="How small counts are hidden, in Chinese.")


def _table(table: Table) -> TableOut:
    return TableOut(
        key=table.key,
        title=str(table.title),
        row_heading=str(table.row_heading),
        columns=[ColumnOut(figure=c.key, label=str(c.label)) for c in table.columns],
        rows=[
            RowOut(
                label=str(row.label),
                total=row.is_total,
                cells=[
                    CellOut(figure=cell.key[0], display=cell.text, value=cell.number)
                    for cell in row.cells
                ],
            )
            for row in table.rows
        ],
    )


@router.get(
    "",
    response={
        200: StatisticsOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Suppressed statistics for offices and months",
)
def statistics(request: HttpRequest, query: Query[StatisticsQuery]) -> StatisticsOut:
    """The dashboard's tables for these offices and months, cell for cell: counts from 1 to 4
    read '<5', and cells a reader could work a small count out from read '×' (value null)."""
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    codes = [code.strip().upper() for code in query.offices.split(",") if code.strip()]
    if not codes:
        codes = list(client.offices.order_by("code").values_list("code", flat=True))
    offices = [client_office(request, code) for code in codes]
    request.api_offices = [office.code for office in offices]  # type: ignore[attr-defined]
    form = DashboardForm({"offices": codes, "first": query.first, "last": query.last})
    if not form.is_valid():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        raise ApiError(422, "period", message or _("The period is not valid."))
    data = form.cleaned_data
    page = pages.dashboard(offices, data["first"], data["last"])
    return StatisticsOut(
        offices=[office.code for office in offices],
        first=month_value(page.first),
        last=month_value(page.last),
        tables=[_table(table) for table in page.tables.values()],
        rates=[
            RateOut(key=rate.rate.key, label=str(rate.rate.label), display=rate.text)
            for rate in page.rates
        ],
        suppression=str(SUPPRESSION_DEFINITION),
    )
