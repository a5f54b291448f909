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

from .models import DUTY_HOURS, Duty, duty_hours


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
