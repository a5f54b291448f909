"""The summary table behind the statistics pages: monthly counts per office, kept in step.
May import reports' figures, queries and models, and mediation's models and calendar.

Every change of case data writes an audit event naming its office (SECURITY.md), in the same
transaction as the change, and the chain links events in the order they commit. So the summary
is complete up to a chain position; when the chain has moved on, only the offices named by the
newer events are counted again. Until the summary has
been built once (`manage.py reports_rollup`), pages count live. Reads plain columns only.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone

from mediation.calendar import add_months, month_start, next_month
from mediation.models import AuditChainHead, AuditEvent, Case, RegistryOffice

from .figure_types import Counts
from .models import MonthlyFigure, RollupState
from .queries import monthly_counts

FIRST_MONTH = date(2021, 1, 1)  # the cooling-off law, and with it this work, starts in 2021
# The version of the figure catalogue the summary is counted with: raise it when a figure is
# added or its definition changes, and pages count live until `reports_rollup` has counted again.
CATALOGUE = 2
REBUILD_SHARE = 0.5


def _head() -> int:
    return AuditChainHead.objects.filter(id=1).values_list("last_seq", flat=True).first() or 0


def _office_range(office_ids: list[int]) -> tuple[date, date]:
    """Every month the offices' case data can reach: from the first case to a year past now
    (follow-ups are dated months after the reconciliation)."""
    first = Case.objects.filter(office_id__in=office_ids).aggregate(first=Min("opened_at"))["first"]
    start = min(FIRST_MONTH, month_start(timezone.localdate(first))) if first else FIRST_MONTH
    today = timezone.localdate()
    return start, add_months(month_start(today), 12)


def _recount(office_ids: list[int]) -> int:
    first, last = _office_range(office_ids)
    counts = monthly_counts(office_ids, first, last)
    MonthlyFigure.objects.filter(office_id__in=office_ids).delete()
    MonthlyFigure.objects.bulk_create(
        [
            MonthlyFigure(office_id=office_id, month=month, figure=figure, value=value)
            for (figure, office_id, month), value in counts.items()
        ],
        batch_size=5000,
    )
    return len(counts)


def build() -> int:
    """Count every office again from the case tables; returns the number of summary rows."""
    with transaction.atomic():
        head = _head()
        offices = list(RegistryOffice.objects.values_list("id", flat=True))
        rows = 0
        for office_id in offices:
            rows += _recount([office_id])
        RollupState.objects.update_or_create(
            id=1, defaults={"last_seq": head, "built_at": timezone.now(), "catalogue": CATALOGUE}
        )
    return rows


def refresh() -> list[str]:
    """Bring the summary up to the audit trail's head; returns the office codes counted again."""
    state = RollupState.objects.filter(id=1, catalogue=CATALOGUE).first()
    if state is None:
        return []
    head = _head()
    if head <= state.last_seq:
        return []
    codes = sorted(
        set(
            AuditEvent.objects.chained_between(state.last_seq, head)
            .exclude(office_code="")
            .values_list("office_code", flat=True)
            .distinct()
        )
    )
    try:
        with transaction.atomic():
            state = RollupState.objects.select_for_update().get(id=1)
            if head <= state.last_seq:
                return []
            offices = list(
                RegistryOffice.objects.filter(code__in=codes).values_list("id", flat=True)
            )
            if len(offices) > REBUILD_SHARE * RegistryOffice.objects.count():
                offices = list(RegistryOffice.objects.values_list("id", flat=True))
            for office_id in offices:
                _recount([office_id])
            state.last_seq, state.built_at = head, timezone.now()
            state.save()
    except IntegrityError:
        # Another request refreshed the same offices at the same moment; its rows are as good.
        return []
    return codes


def is_built() -> bool:
    """Built once, with the current figure catalogue."""
    return RollupState.objects.filter(id=1, catalogue=CATALOGUE).exists()


def counts(office_ids: list[int], first: date, last: date) -> Counts:
    """Monthly counts of these offices from `first` to `last`: from the summary when it is
    built (refreshed first if the audit trail has moved on), else counted live."""
    if not is_built():
        return monthly_counts(office_ids, first, last)
    refresh()
    rows = MonthlyFigure.objects.filter(
        office_id__in=office_ids, month__gte=month_start(first), month__lt=next_month(last)
    ).values_list("figure", "office_id", "month", "value")
    return {(figure, office_id, month): value for figure, office_id, month, value in rows}


def summary() -> dict:
    state = RollupState.objects.filter(id=1).first()
    return {
        "built": state is not None and state.catalogue == CATALOGUE,
        "last_seq": state.last_seq if state else 0,
        "rows": MonthlyFigure.objects.count(),
        "latest_month": MonthlyFigure.objects.aggregate(m=Max("month"))["m"],
    }
