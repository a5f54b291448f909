"""Read helpers of the duty app, for its own pages and for reports: plain values out, no writes.
May import counselors.models and mediation's models and calendar; never a service.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Case, Count, FloatField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from mediation.calendar import month_start, next_month
from mediation.models import RegistryOffice

from .models import DUTY_HOURS, Duty, HalfDay, Roster, duty_hours


@dataclass(frozen=True)
class ServiceHours:
    """Duty of one organisation at one office in one month of the published roster: planned
    (every half-day published) and delivered (the half-days up to and including today)."""

    organisation: str
    partner: bool
    office_id: int
    office: str  # the office's name, as the pages show it
    month: date
    half_days: int
    hours: float
    delivered_half_days: int
    delivered_hours: float


def _month_of(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return month_start(timezone.localtime(value).date())
    return month_start(value)


def service_hours(
    offices: QuerySet[RegistryOffice] | Iterable[RegistryOffice | int],
    first: date,
    last: date,
    *,
    today: date | None = None,
) -> list[ServiceHours]:
    """Half-days and hours of the published roster (after swaps and repairs) per organisation,
    office and month, from the month of `first` to the month of `last`, for the government
    purchase-of-service contracts. Hours are half-days times DUTY_HOURS. Delivered duty is
    what was on days up to `today` (Beijing's today by default); the rest is planned. Grouped
    by organisation, never by counsellor (a per-person table would name who worked when).
    Partner organisations first, then by name, office and month.
    """
    today = today or timezone.localdate()
    delivered = Q(day__lte=today)
    hours = Case(
        *(When(half_day=half, then=Value(duty_hours(half))) for half in DUTY_HOURS),
        output_field=FloatField(),
    )
    rows = (
        Duty.objects.published()
        .filter(
            office__in=offices if isinstance(offices, QuerySet) else list(offices),
            day__gte=month_start(first),
            day__lt=next_month(last),
        )
        .annotate(month=TruncMonth("day"))
        .values(
            "counselor__organisation__name",
            "counselor__organisation__is_partner",
            "office_id",
            "office__name",
            "month",
        )
        .annotate(
            half_days=Count("pk"),
            hours=Sum(hours),
            delivered_half_days=Count("pk", filter=delivered),
            delivered_hours=Coalesce(Sum(hours, filter=delivered), 0.0),
        )
        .order_by()
    )
    entries = [
        ServiceHours(
            organisation=row["counselor__organisation__name"],
            partner=row["counselor__organisation__is_partner"],
            office_id=row["office_id"],
            office=row["office__name"],
            month=_month_of(row["month"]),
            half_days=row["half_days"],
            hours=row["hours"],
            delivered_half_days=row["delivered_half_days"],
            delivered_hours=row["delivered_hours"],
        )
        for row in rows
    ]
    return sorted(
        entries,
        key=lambda entry: (not entry.partner, entry.organisation, entry.office_id, entry.month),
    )


@dataclass(frozen=True)
class RosterEntry:
    """One half-day of duty as other systems may see it: no name, a stable counsellor code."""

    day: date
    half_day: str
    starts: str
    ends: str
    counselor_code: str
    organisation: str
    role: str


@dataclass(frozen=True)
class PublishedRoster:
    office_code: str
    month: date
    published_at: datetime | None
    entries: list[RosterEntry]


def counselor_code(profile_id: int) -> str:
    """A counsellor's code for other systems: stable, and no name in it."""
    return f"C{profile_id:05d}"


def published_roster(office: RegistryOffice, month: date) -> PublishedRoster | None:
    """The office's duty in the month's published roster of its city (None when the month has
    none published), half-day by half-day."""
    roster = Roster.objects.published().for_month(office.city, month).first()
    if roster is None:
        return None
    duties = (
        Duty.objects.filter(roster=roster, office=office)
        .select_related("counselor__organisation")
        .order_by("day", "half_day", "counselor_id")
    )
    return PublishedRoster(
        office_code=office.code,
        month=month_start(month),
        published_at=roster.published_at,
        entries=[
            RosterEntry(
                day=duty.day,
                half_day=duty.half_day,
                starts=f"{DUTY_HOURS[HalfDay(duty.half_day)][0]:%H:%M}",
                ends=f"{DUTY_HOURS[HalfDay(duty.half_day)][1]:%H:%M}",
                counselor_code=counselor_code(duty.counselor_id),
                organisation=duty.counselor.organisation.short_name,
                role=duty.counselor.role,
            )
            for duty in duties
        ],
    )
