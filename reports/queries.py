"""The counting: every base figure of reports/figures.py per office and month; the audit head.
May import mediation's models and querysets (plain columns): no service, sealed column or key.

One grouped query per kind of record; each row is attributed to one office and one month (the
month the figure's definition names), so a period is the sum of its months.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from mediation.calendar import month_start, next_month
from mediation.models import (
    AuditEvent,
    Case,
    ConsentRecord,
    CounselingSession,
    FollowUp,
    Outcome,
    Party,
    Port,
    Purpose,
    Referral,
    SafetyScreen,
    Satisfaction,
)
from mediation.models.cases import SERVICE_COLUMNS

from .figure_types import Counts

Row = dict[str, Any]


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _month_of(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return month_start(timezone.localtime(value).date())
    return month_start(value)


@dataclass(frozen=True)
class Window:
    """The offices and the months [first, end) being counted, for date and datetime columns."""

    office_ids: list[int]
    first: date
    end: date

    @property
    def start_at(self) -> datetime:
        return _local_start(self.first)

    @property
    def end_at(self) -> datetime:
        return _local_start(self.end)


def _add(
    counts: Counts, rows: Iterable[Row], office: str, figure: Callable[[Row], str | None]
) -> None:
    """Add grouped rows (with `n` and `month`) to `counts` under the figure each row names."""
    for row in rows:
        key = figure(row) if row["n"] else None
        if key:
            index = (key, row[office], _month_of(row["month"]))
            counts[index] = counts.get(index, 0) + row["n"]


def _grouped(queryset: QuerySet[Any], month: str, *fields: str) -> QuerySet[Any]:
    return (
        queryset.annotate(month=TruncMonth(month))
        .values(*fields, "month")
        .annotate(n=Count("id"))
        .order_by()
    )


def _cases(counts: Counts, window: Window) -> None:
    cases = Case.objects.filter(
        office_id__in=window.office_ids,
        opened_at__gte=window.start_at,
        opened_at__lt=window.end_at,
    )
    rows = _grouped(cases, "opened_at", "office_id", "category")
    _add(counts, rows, "office_id", lambda r: f"cases.{r['category']}")


def _application(row: Row) -> str:
    if row["taken_up"]:
        return "applications.taken_up"
    if row["counselling_offered"]:
        return "applications.offered_only"
    return "applications.not_offered"


def _applications(counts: Counts, window: Window) -> None:
    consented = ConsentRecord.objects.filter(
        party__case=OuterRef("pk"),
        purpose=Purpose.COUNSELLING,
        action=ConsentRecord.Action.GIVEN,
    )
    applications = Case.objects.filter(
        office_id__in=window.office_ids,
        port=Port.DIVORCE,
        received_on__gte=window.first,
        received_on__lt=window.end,
    ).annotate(taken_up=Exists(consented))
    rows = _grouped(applications, "received_on", "office_id", "counselling_offered", "taken_up")
    _add(counts, rows, "office_id", _application)


def _held(window: Window) -> QuerySet[CounselingSession]:
    return CounselingSession.objects.filter(
        office_id__in=window.office_ids,
        status=CounselingSession.Status.HELD,
        starts_at__gte=window.start_at,
        starts_at__lt=window.end_at,
    )


def _sessions(counts: Counts, window: Window) -> None:
    rows = _grouped(_held(window), "starts_at", "office_id", "kind")
    _add(counts, rows, "office_id", lambda r: f"sessions.{r['kind']}")


def _services(counts: Counts, window: Window) -> None:
    """A session may deliver several services: one count per service column that is set."""
    columns = {str(service): column for service, column in SERVICE_COLUMNS.items()}
    # One count per service, under keys made from the service names: rows read as mappings.
    rows: Iterable[Mapping[str, Any]] = (
        _held(window)
        .annotate(month=TruncMonth("starts_at"))
        .values("office_id", "month")
        .annotate(
            **{
                f"s_{name}": Count("id", filter=Q(**{column: True}))
                for name, column in columns.items()
            }
        )
        .order_by()
    )
    per_service = (
        {**row, "service": name, "n": row[f"s_{name}"]} for row in rows for name in columns
    )
    _add(counts, per_service, "office_id", lambda r: f"services.{r['service']}")


def _results(counts: Counts, window: Window) -> None:
    results = Case.objects.filter(
        office_id__in=window.office_ids, result_on__gte=window.first, result_on__lt=window.end
    ).exclude(result="")
    rows = _grouped(results, "result_on", "office_id", "result")
    _add(counts, rows, "office_id", lambda r: f"results.{r['result']}")


def _outcome(row: Row) -> str:
    counselled = "counselled" if row["counselled"] else "not_counselled"
    return f"outcomes.{counselled}.{row['kind']}"


def _outcomes(counts: Counts, window: Window) -> None:
    held = CounselingSession.objects.filter(
        case_id=OuterRef("case_id"), status=CounselingSession.Status.HELD
    )
    outcomes = Outcome.objects.filter(
        voided_at__isnull=True,  # a voided outcome is kept, never counted
        case__office_id__in=window.office_ids,
        decided_on__gte=window.first,
        decided_on__lt=window.end,
    ).annotate(counselled=Exists(held))
    rows = _grouped(outcomes, "decided_on", "case__office_id", "kind", "counselled")
    _add(counts, rows, "case__office_id", _outcome)


def _follow_up(row: Row) -> str | None:
    if row["months"] not in (3, 6):
        return None
    if row["status"] == FollowUp.Status.UNREACHABLE:
        return f"follow_ups.{row['months']}.unreachable"
    return f"follow_ups.{row['months']}.{'held' if row['reconciliation_held'] else 'not_held'}"


def _follow_ups(counts: Counts, window: Window) -> None:
    made = FollowUp.objects.filter(
        case__office_id__in=window.office_ids,
        status__in=[FollowUp.Status.DONE, FollowUp.Status.UNREACHABLE],
        done_on__gte=window.first,
        done_on__lt=window.end,
    )
    fields = ("case__office_id", "months", "status", "reconciliation_held")
    _add(counts, _grouped(made, "done_on", *fields), "case__office_id", _follow_up)


def _satisfaction(counts: Counts, window: Window) -> None:
    answers = Satisfaction.objects.filter(
        case__office_id__in=window.office_ids,
        recorded_on__gte=window.first,
        recorded_on__lt=window.end,
    )
    rows = _grouped(answers, "recorded_on", "case__office_id", "rating")
    _add(counts, rows, "case__office_id", lambda r: f"satisfaction.{r['rating']}")


def _referrals(counts: Counts, window: Window) -> None:
    referrals = Referral.objects.filter(
        case__office_id__in=window.office_ids,
        referred_on__gte=window.first,
        referred_on__lt=window.end,
    )
    rows = _grouped(referrals, "referred_on", "case__office_id", "destination")
    _add(counts, rows, "case__office_id", lambda r: f"referrals.{r['destination']}")


def _screens(counts: Counts, window: Window) -> None:
    screens = SafetyScreen.objects.filter(
        party__case__office_id__in=window.office_ids,
        screened_at__gte=window.start_at,
        screened_at__lt=window.end_at,
    )
    rows = _grouped(screens, "screened_at", "party__case__office_id", "positive")
    _add(
        counts,
        rows,
        "party__case__office_id",
        lambda r: f"screens.{'positive' if r['positive'] else 'negative'}",
    )


def _referred_follow_ups(counts: Counts, window: Window) -> None:
    """Follow-up calls made with a party of a case that has a referral (figures.py)."""
    referred = Referral.objects.filter(case_id=OuterRef("case_id"))
    made = FollowUp.objects.filter(
        case__office_id__in=window.office_ids,
        status__in=[FollowUp.Status.DONE, FollowUp.Status.UNREACHABLE],
        done_on__gte=window.first,
        done_on__lt=window.end,
    ).filter(Exists(referred))
    rows = _grouped(made, "done_on", "case__office_id", "status")
    _add(
        counts,
        rows,
        "case__office_id",
        lambda r: (
            "referred_follow_ups."
            + ("unreachable" if r["status"] == FollowUp.Status.UNREACHABLE else "reached")
        ),
    )


def _parties(counts: Counts, window: Window) -> None:
    """Attributes of a person only with that person's statistics consent (figures.PARTIES)."""
    parties = Party.objects.filter(
        consent_statistics=True,
        case__office_id__in=window.office_ids,
        case__opened_at__gte=window.start_at,
        case__opened_at__lt=window.end_at,
    )
    rows = _grouped(parties, "case__opened_at", "case__office_id", "sex", "education")
    _add(
        counts,
        rows,
        "case__office_id",
        lambda r: f"parties.{r['sex'] or 'unknown'}.{r['education'] or 'unknown'}",
    )


COUNTERS = (
    _cases,
    _applications,
    _sessions,
    _services,
    _results,
    _outcomes,
    _follow_ups,
    _satisfaction,
    _referrals,
    _screens,
    _referred_follow_ups,
    _parties,
)


def monthly_counts(office_ids: Iterable[int], first: date, last: date) -> Counts:
    """Every base figure for these offices and the months from `first` to `last` (inclusive)."""
    window = Window(list(office_ids), month_start(first), next_month(last))
    counts: Counts = {}
    for counter in COUNTERS:
        counter(counts, window)
    return counts


@dataclass(frozen=True)
class Checkpoint:
    """The state of the tamper-evident audit trail at the end of a reporting period: the chain
    position and link (MAC under the audit key) of the last event written before it (position 0
    when there was none, as for data entered afterwards with historical dates), and when the
    trail's first event was written."""

    position: int
    head: str
    first_written: datetime | None

    @property
    def exists(self) -> bool:
        return self.position > 0


def checkpoint(before: date) -> Checkpoint:
    """The trail's checkpoint at local midnight starting `before`."""
    position, head = audit_head(before)
    first = AuditEvent.objects.order_by("seq").values_list("at", flat=True).first()
    return Checkpoint(position, head, first)


def audit_head(before: date) -> tuple[int, str]:
    """(chain position, hash) of the last audit event dated before `before` (local midnight):
    the state of the tamper-evident trail a report vouches for. (0, genesis) if none."""
    return AuditEvent.objects.head_before(_local_start(before))
