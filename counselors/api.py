"""The duty app's router of the REST API: an office's published duty roster for a month.
Schemas in, a selector called, schemas out (ARCHITECTURE.md); the door (token, scope) is wired
by config/api.py."""

from datetime import date
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from mediation.api_access import ApiError, ErrorOut, client_office

from .forms import parse_month
from .selectors import published_roster

router = Router(tags=["roster"])


class DutyOut(Schema):
    day: date
    half_day: Literal["AM", "PM"]
    starts: str = Field(description="08:30 or 13:30, Beijing time.")
    ends: str = Field(description="12:00 or 17:00, Beijing time.")
    counselor: str = Field(description="A stable code per counsellor (no name).")
    organisation: str = Field(description="The counsellor's organisation, short name.")
    role: Literal["psychological", "social_worker", "mediator"]


class RosterOut(Schema):
    office: str
    month: str = Field(description="YYYY-MM")
    published_at: str | None
    duties: list[DutyOut]


class MonthQuery(Schema):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM, e.g. 2026-12")


@router.get(
    "/{code}/roster",
    response={
        200: RosterOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="An office's published duty roster",
)
def office_roster(request: HttpRequest, code: str, query: Query[MonthQuery]) -> RosterOut:
    """Half-day by half-day, the counsellors on duty at the office in the month's published
    roster: a code per counsellor, their organisation and role; never a name."""
    office = client_office(request, code)
    month = parse_month(query.month, None)
    if month is None:
        raise ApiError(422, "month", _("Give the month as YYYY-MM."))
    roster = published_roster(office, month)
    if roster is None:
        raise ApiError(404, "no_roster", _("The roster of this month is not published."))
    return RosterOut(
        office=roster.office_code,
        month=f"{roster.month:%Y-%m}",
        published_at=roster.published_at.isoformat() if roster.published_at else None,
        duties=[
            DutyOut(
                day=entry.day,
                half_day=entry.half_day,  # type: ignore[arg-type]
                starts=entry.starts,
                ends=entry.ends,
                counselor=entry.counselor_code,
                organisation=entry.organisation,
                role=entry.role,  # type: ignore[arg-type]
            )
            for entry in roster.entries
        ],
    )
