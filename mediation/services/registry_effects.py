"""What a registry event does to its case (DOMAIN.md, 'Registry practice', 'Outcomes and what
counts'): a received application opens its case or joins the couple's, a withdrawal, certificate
or deemed withdrawal records the outcome inside its legal window; anything else is stored for the
supervisor, never applied and never overwriting a counsellor's record. May import models, audit,
clock, crypto, keyring, sealing, registry_file and the cases, outcomes and notices services.
"""

from functools import partial
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .. import audit, clock, sealing
from ..models import (
    ApiClient,
    Case,
    Category,
    NoticeKind,
    Outcome,
    OutcomeKind,
    Party,
    Port,
    RegistryApplication,
    RegistryEvent,
    RegistryOffice,
    RegistryUpload,
    User,
)
from ..registry_file import EventKind, EventRow
from .cases import open_case
from .notices import notify
from .outcomes import close_case, deadlines_of
from .parties import id_index_of

OUTCOME_OF = {
    EventKind.WITHDRAWN: OutcomeKind.RECONCILED,
    EventKind.CERTIFICATE: OutcomeKind.DIVORCED,
    EventKind.DEEMED_WITHDRAWN: OutcomeKind.LAPSED,
}


def _supervisors(office: RegistryOffice) -> QuerySet[User]:
    supervisors: QuerySet[User] = User.objects.filter(
        is_active=True,
        memberships__office=office,
        groups__permissions__codename="supervise_office",
        groups__permissions__content_type__app_label="mediation",
    ).distinct()
    return supervisors


class Origin(TypedDict):
    """Where a registry row came from: a file upload, an API client, or the demo's loader."""

    source: str
    client: ApiClient | None
    upload: RegistryUpload | None


def store_event(
    *,
    application: RegistryApplication,
    row: EventRow,
    status: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
    actor: User,
    source: str,
    client: ApiClient | None,
    upload: RegistryUpload | None,
    request: HttpRequest | None,
) -> RegistryEvent:
    event = RegistryEvent.objects.create(
        application=application,
        office=application.office,
        kind=row.kind.value,
        occurred_on=row.occurred_on,
        status=status,
        reason=reason,
        details=details or {},
        source=source,
        client=client,
        upload=upload,
        created_by=actor,
        created_at=timezone.now(),
    )
    if status == RegistryEvent.Status.REVIEW:
        for supervisor in _supervisors(application.office):
            notify(
                user=supervisor,
                text=_("A registry event of application %(number)s needs your review.")
                % {"number": application.number},
                url=reverse("mediation:registry-review"),
                kind=NoticeKind.REGISTRY,
                key=f"registry-event:{event.uuid}",
            )
    audit.record(
        actor=actor,
        action="registry.event",
        obj=event,
        request=request,
        details={"kind": row.kind.value, "status": status, "reason": reason, "source": source},
    )
    return event


def _matching_cases(
    office: RegistryOffice, indexes: tuple[str, str]
) -> tuple[list[Case], Case | None]:
    """Divorce cases of the office with no application yet whose parties' blind indexes hold
    both of the couple's (full matches, newest first), else one holding only one of them."""
    candidates = (
        Case.objects.filter(
            office=office,
            port=Port.DIVORCE,
            registry_application__isnull=True,
            parties__id_index__in=indexes,
        )
        .distinct()
        .order_by("-opened_at")
    )
    full, partial = [], None
    for case in candidates:
        found = set(Party.objects.filter(case=case).values_list("id_index", flat=True))
        if set(indexes) <= found:
            full.append(case)
        elif partial is None:
            partial = case
    return full, partial


def receive(
    *,
    row: EventRow,
    office: RegistryOffice,
    actor: User,
    request: HttpRequest | None,
    **origin: Unpack[Origin],
) -> tuple[RegistryEvent, Case]:
    """A received application: link it to the case a counsellor already opened for the same
    couple (both blind indexes match), or open a new case with its registry facts only (dates
    and deadlines; nothing about counselling, which needs consent). A different date on the
    existing case, or a couple matched only by one party, goes to the supervisor."""
    assert row.id_numbers is not None
    indexes = (id_index_of(row.id_numbers[0]), id_index_of(row.id_numbers[1]))
    full, partial = _matching_cases(office, indexes)
    status, reason, details = RegistryEvent.Status.APPLIED, "", {}
    if full:
        case = full[0]
        if len(full) > 1:
            status, reason = RegistryEvent.Status.REVIEW, "several_cases"
            details = {"case": case.number, "cases": [c.number for c in full]}
        elif case.received_on != row.occurred_on:
            status, reason = RegistryEvent.Status.REVIEW, "received_date_differs"
            details = {
                "registry": row.occurred_on.isoformat(),
                "recorded": case.received_on.isoformat() if case.received_on else "",
                "case": case.number,
            }
    else:
        case = open_case(
            office=office,
            port=Port.DIVORCE,
            category=Category.MARITAL,
            received_on=row.occurred_on,
            opened_by=actor,
            counselling_offered=False,
            request=request,
        )
        if partial is not None:
            status, reason = RegistryEvent.Status.REVIEW, "partial_match"
            details = {"case": partial.number, "new_case": case.number}
    application = RegistryApplication(
        number=row.application_number,
        office=office,
        received_on=row.occurred_on,
        index_1=indexes[0],
        index_2=indexes[1],
        case=case,
        created_at=timezone.now(),
        created_by=actor,
    )
    sealing.seal(application, id_number_1=row.id_numbers[0], id_number_2=row.id_numbers[1])
    application.save()
    event = store_event(
        application=application,
        row=row,
        status=status,
        reason=reason,
        details=details,
        actor=actor,
        request=request,
        **origin,
    )
    return event, case


def registry_window(kind: str, case: Case) -> clock.LegalWindow | None:
    """The legal window of the outcome a registry event records: the clock's one rule
    (clock.window_for, DOMAIN.md 'Each registry outcome has a legal window'), on the case's
    stored deadlines; None when the case has none."""
    case_deadlines = deadlines_of(case)
    return clock.window_for(kind, case_deadlines) if case_deadlines else None


def _window_details(window: clock.LegalWindow | None) -> dict[str, str]:
    if window is None:
        return {}
    return {"first": window.first.isoformat(), "last": window.last.isoformat()}


def record_outcome(
    *,
    row: EventRow,
    application: RegistryApplication,
    actor: User,
    request: HttpRequest | None,
    **origin: Unpack[Origin],
) -> tuple[RegistryEvent, Case]:
    """A withdrawal, certificate or deemed withdrawal records the case's registry outcome
    through the outcome service (close_case: the same legal windows, effects, provisional marks
    and statistics as an outcome recorded by hand). An event outside its window, or against
    another outcome in force, is kept and waits for the supervisor — never applied, never
    overwriting; a voided outcome does not count as recorded. On provisional deadlines the
    registry's word is recorded marked provisional and re-checked when the year is entered
    (corrections.recheck_provisional_outcomes). A deemed withdrawal is the clock's lapse, dated
    the window's last day, and only once that day is over."""
    case = Case.objects.select_for_update().get(pk=application.case_id)
    kind = OUTCOME_OF[row.kind]
    store = partial(
        store_event, application=application, row=row, actor=actor, request=request, **origin
    )
    existing = Outcome.objects.in_force().filter(case=case).first()
    if existing is not None:
        if existing.kind == kind and (
            kind == OutcomeKind.LAPSED or existing.decided_on == row.occurred_on
        ):
            return store(status=RegistryEvent.Status.APPLIED, details={"already": True}), case
        recorded = (
            f"{existing.get_kind_display()} {date_format(existing.decided_on, 'DATE_FORMAT')}"
        )
        return store(
            status=RegistryEvent.Status.REVIEW,
            reason="outcome_differs",
            details={"recorded": recorded, "registry": row.occurred_on.isoformat()},
        ), case
    window = registry_window(kind, case)
    decided_on = row.occurred_on
    if kind == OutcomeKind.LAPSED and window is not None:
        if row.occurred_on < window.last or timezone.localdate() <= window.last:
            return store(
                status=RegistryEvent.Status.REVIEW,
                reason="outside_window",
                details=_window_details(window),
            ), case
        decided_on = window.last
    try:
        with transaction.atomic():
            close_case(
                case=case,
                kind=kind,
                decided_on=decided_on,
                recorded_by=actor,
                by_clock=kind == OutcomeKind.LAPSED,
                provisional_confirmed=True,
                request=request,
            )
    except ValidationError as error:
        code = next(iter(error_codes(error)), "refused")
        details = (
            _window_details(window)
            if code == "outside_window"
            else {"message": " ".join(error.messages)}
        )
        return store(status=RegistryEvent.Status.REVIEW, reason=code, details=details), case
    return store(status=RegistryEvent.Status.APPLIED), case


def error_codes(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [str(e.code) for errors in error.error_dict.values() for e in errors if e.code]
    return [str(e.code) for e in error.error_list if e.code]
