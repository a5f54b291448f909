"""Registry events imported instead of re-keyed (DOMAIN.md, 'Registry practice'): an application
received opens or joins its case, a withdrawal or certificate records the registry outcome inside
its legal window, anything else waits on the supervisor's list. The API and the upload of a
registry file both come here. May import models, audit, crypto, keyring, sealing, registry_file,
and the cases, outcomes, official_calendar and notices services.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import audit, crypto, keyring, sealing
from ..models import (
    ApiClient,
    Case,
    Category,
    NoticeKind,
    OutcomeKind,
    Party,
    Port,
    RegistryApplication,
    RegistryEvent,
    RegistryOffice,
    RegistryUpload,
    User,
)
from ..registry_file import EventKind, EventRow, FileError, RowError, read_file
from .cases import CIVIL_CODE_IN_FORCE, open_case, update_case
from .notices import notify
from .outcomes import close_case

OUTCOME_OF = {
    EventKind.WITHDRAWN: OutcomeKind.RECONCILED,
    EventKind.CERTIFICATE: OutcomeKind.DIVORCED,
    EventKind.DEEMED_WITHDRAWN: OutcomeKind.LAPSED,
}


class Effect:
    """What a row did (or, in a preview, will do)."""

    NEW = "new"  # preview: will be stored
    APPLIED = "applied"
    REVIEW = "review"  # stored, waiting for the supervisor
    SKIPPED = "skipped"  # already imported: nothing changes
    REJECTED = "rejected"  # not stored: the row is wrong


@dataclass(frozen=True)
class RowResult:
    """One row's fate, with a Chinese message a supervisor or a client can act on."""

    line: int | None
    application_number: str
    kind: str
    effect: str
    code: str = ""
    message: str = ""
    case: Case | None = None
    event: RegistryEvent | None = None

    @property
    def kind_label(self) -> str:
        return str(RegistryEvent.Kind(self.kind).label) if self.kind else ""


@dataclass
class ImportSummary:
    results: list[RowResult] = field(default_factory=list)

    def count(self, effect: str) -> int:
        return sum(1 for result in self.results if result.effect == effect)

    @property
    def counts(self) -> dict[str, int]:
        return {
            effect: self.count(effect)
            for effect in (Effect.NEW, Effect.APPLIED, Effect.REVIEW, Effect.SKIPPED)
        } | {Effect.REJECTED: self.count(Effect.REJECTED)}

    @property
    def errors(self) -> list[RowResult]:
        return [result for result in self.results if result.effect == Effect.REJECTED]


# --- messages ------------------------------------------------------------------------------

FIELD_LABELS = {
    "application_number": gettext_lazy("application number"),
    "kind": gettext_lazy("event"),
    "date": gettext_lazy("date"),
    "office": gettext_lazy("office"),
    "id_number_1": gettext_lazy("first party's ID number"),
    "id_number_2": gettext_lazy("second party's ID number"),
}


def row_error_message(error: RowError) -> str:
    """A row's error in the supervisor's words (the preview shows its line number beside it)."""
    label = FIELD_LABELS.get(error.field, error.field)
    return {
        "required": _("%(field)s is missing."),
        "application_number": _("%(field)s may hold only letters, digits and hyphens."),
        "kind": _("%(field)s must be 受理, 撤回, 发证 or 视为撤回."),
        "date": _("%(field)s is not a date (write 2026-12-01)."),
        "id_length": _("%(field)s does not have 18 characters."),
        "id_characters": _("%(field)s must be 17 digits followed by a digit or X."),
        "id_birth_date": _("The birth date inside %(field)s does not exist."),
        "id_check_digit": _("The check digit of %(field)s does not match. Please check it."),
        "same_person": _("The two parties' ID numbers are the same."),
        "duplicate_in_file": _("This application and event appear twice in the file."),
    }.get(error.code, _("%(field)s is not valid.")) % {"field": label}


def file_error_message(error: FileError) -> str:
    return {
        "unreadable": _("The file cannot be read. Upload the registry's CSV or XLSX export."),
        "empty": _("The file has no rows."),
        "columns": _("The file lacks these columns: %(columns)s.") % {"columns": error.detail},
        "too_many_rows": _("The file has more than %(max)s rows; split it.")
        % {"max": error.detail},
    }.get(error.code, _("The file cannot be read."))


REASON_MESSAGES = {
    "outside_window": gettext_lazy(
        "The date lies outside the legal window of this outcome (%(first)s to %(last)s): "
        "held for the supervisor."
    ),
    "provisional": gettext_lazy(
        "The case's deadlines are provisional (the official calendar of a year is not entered): "
        "held for the supervisor."
    ),
    "received_date_differs": gettext_lazy(
        "The registry received the application on %(registry)s, the case says %(recorded)s: "
        "listed for the supervisor."
    ),
    "outcome_differs": gettext_lazy(
        "The case already has another registry outcome (%(recorded)s): listed for the supervisor."
    ),
    "partial_match": gettext_lazy(
        "Only one of the two parties matches case %(case)s: a new case was opened and listed "
        "for the supervisor."
    ),
    "several_cases": gettext_lazy(
        "Several cases match this couple; linked to %(case)s and listed for the supervisor."
    ),
}


def _shown(value: object) -> str:
    """A stored ISO date as the interface writes dates (2026年11月2日); anything else as is."""
    try:
        return date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)


def reason_message(reason: str, details: dict) -> str:
    """Why an event waits for the supervisor, in words (details are plain dates and numbers)."""
    template = REASON_MESSAGES.get(reason)
    if template is None:
        return str(details.get("message", "")) or _("Listed for the supervisor.")
    return template % {
        key: _shown(details.get(key, ""))
        for key in ("first", "last", "registry", "recorded", "case")
    }


# --- looking things up -----------------------------------------------------------------------


def _index(number: str) -> str:
    return crypto.blind_index(keyring.ring().blind_index_key, number)


def _offices_by_code(offices: Iterable[RegistryOffice]) -> dict[str, RegistryOffice]:
    return {office.code: office for office in offices}


def _row_problem(
    row: EventRow,
    offices: dict[str, RegistryOffice],
    known: dict[str, tuple[str, date]],
    today: date,
) -> tuple[str, str] | None:
    """A reason the row cannot be stored (code, message), from what the database knows."""
    if row.office not in offices:
        return "office", _("Office %(code)s is not one you may send events for.") % {
            "code": row.office
        }
    if row.occurred_on > today:
        return "future", _("The date cannot be in the future.")
    if row.kind == EventKind.RECEIVED:
        if row.occurred_on < CIVIL_CODE_IN_FORCE:
            return "received_before_law", _(
                "The divorce cooling-off period applies to applications from 1 January 2021."
            )
        return None
    if row.application_number not in known:
        return "unknown_application", _(
            "Application %(number)s has not been received: send its received event first."
        ) % {"number": row.application_number}
    office_code, received_on = known[row.application_number]
    if office_code != row.office:
        return "office_mismatch", _("Application %(number)s belongs to another office.") % {
            "number": row.application_number
        }
    if row.occurred_on < received_on:
        return "before_application", _(
            "The date lies before the application was received (%(day)s)."
        ) % {"day": date_format(received_on, "DATE_FORMAT")}
    return None


def _known_applications(numbers: Iterable[str]) -> dict[str, tuple[str, date]]:
    return {
        number: (code, received_on)
        for number, code, received_on in RegistryApplication.objects.filter(
            number__in=set(numbers)
        ).values_list("number", "office__code", "received_on")
    }


def _stored_events(numbers: Iterable[str]) -> set[tuple[str, str]]:
    return set(
        RegistryEvent.objects.filter(application__number__in=set(numbers)).values_list(
            "application__number", "kind"
        )
    )


def classify(
    rows: Sequence[EventRow], offices: Iterable[RegistryOffice], *, today: date | None = None
) -> list[RowResult]:
    """What storing these rows would do, row by row, without storing anything: new, already
    imported (skipped) or refused with a reason. Applications received earlier in the same rows
    count as known."""
    today = today or timezone.localdate()
    by_code = _offices_by_code(offices)
    numbers = [row.application_number for row in rows]
    known = _known_applications(numbers)
    stored = _stored_events(numbers)
    results = []
    for row in rows:
        key = (row.application_number, row.kind.value)
        if key in stored:
            results.append(
                RowResult(
                    row.line,
                    row.application_number,
                    row.kind,
                    Effect.SKIPPED,
                    "already_imported",
                    _("Already imported: nothing changes."),
                )
            )
            continue
        problem = _row_problem(row, by_code, known, today)
        if problem:
            code, message = problem
            results.append(
                RowResult(
                    row.line,
                    row.application_number,
                    row.kind,
                    Effect.REJECTED,
                    code,
                    message,
                )
            )
            continue
        if row.kind == EventKind.RECEIVED:
            known[row.application_number] = (row.office, row.occurred_on)
        stored.add(key)
        results.append(RowResult(row.line, row.application_number, row.kind, Effect.NEW))
    return results


# --- the effects -----------------------------------------------------------------------------


def _supervisors(office: RegistryOffice) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__office=office,
        groups__permissions__codename="supervise_office",
        groups__permissions__content_type__app_label="mediation",
    ).distinct()


def _store_event(
    *,
    application: RegistryApplication,
    row: EventRow,
    status: str,
    reason: str = "",
    details: dict | None = None,
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


def _receive(
    *, row: EventRow, office: RegistryOffice, actor: User, request: HttpRequest | None, **origin
) -> tuple[RegistryEvent, Case]:
    """A received application: link it to the case a counsellor already opened for the same
    couple (both blind indexes match), or open a new case with its registry facts only (dates
    and deadlines; nothing about counselling, which needs consent). A different date on the
    existing case, or a couple matched only by one party, goes to the supervisor."""
    assert row.id_numbers is not None
    indexes = (_index(row.id_numbers[0]), _index(row.id_numbers[1]))
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
    event = _store_event(
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


def registry_window(kind: str, case: Case) -> tuple[date, date | None]:
    """The legal window of a registry outcome (DOMAIN.md, 'Outcomes and what counts'):
    reconciled from receipt to the last day of cooling-off; divorced from the day after it to
    the end of the certificate window; lapsed once the certificate window is over (None: no end).
    """
    assert case.received_on and case.cooling_off_ends_on and case.certificate_window_ends_on
    if kind == OutcomeKind.RECONCILED:
        return case.received_on, case.cooling_off_ends_on
    if kind == OutcomeKind.DIVORCED:
        return case.cooling_off_ends_on + timedelta(days=1), case.certificate_window_ends_on
    return case.certificate_window_ends_on, None


def _outcome(
    *,
    row: EventRow,
    application: RegistryApplication,
    actor: User,
    request: HttpRequest | None,
    **origin,
) -> tuple[RegistryEvent, Case]:
    """A withdrawal, certificate or deemed withdrawal records the case's registry outcome, only
    inside its legal window; outside it, on provisional deadlines, or against an outcome already
    recorded, the event is kept and waits for the supervisor — never applied, never overwritten."""
    case = Case.objects.select_for_update().get(pk=application.case_id)
    kind = OUTCOME_OF[row.kind]
    store = {"application": application, "row": row, "actor": actor, "request": request, **origin}
    existing = getattr(case, "outcome", None)
    if existing is not None:
        if existing.kind == kind and (
            kind == OutcomeKind.LAPSED or existing.decided_on == row.occurred_on
        ):
            return _store_event(
                status=RegistryEvent.Status.APPLIED, details={"already": True}, **store
            ), case
        recorded = (
            f"{existing.get_kind_display()} {date_format(existing.decided_on, 'DATE_FORMAT')}"
        )
        return _store_event(
            status=RegistryEvent.Status.REVIEW,
            reason="outcome_differs",
            details={"recorded": recorded, "registry": row.occurred_on.isoformat()},
            **store,
        ), case
    if case.deadlines_provisional:
        return _store_event(status=RegistryEvent.Status.REVIEW, reason="provisional", **store), case
    first, last = registry_window(kind, case)
    inside = row.occurred_on >= first and (last is None or row.occurred_on <= last)
    if kind == OutcomeKind.LAPSED:
        # Deemed withdrawn only once the certificate window is over (DOMAIN.md).
        inside = inside and timezone.localdate() > first
    if not inside:
        return _store_event(
            status=RegistryEvent.Status.REVIEW,
            reason="outside_window",
            details={"first": first.isoformat(), "last": last.isoformat() if last else "…"},
            **store,
        ), case
    decided_on = case.certificate_window_ends_on if kind == OutcomeKind.LAPSED else row.occurred_on
    try:
        with transaction.atomic():
            close_case(
                case=case, kind=kind, decided_on=decided_on, recorded_by=actor, request=request
            )
    except ValidationError as error:
        code = next(iter(_codes(error)), "refused")
        return _store_event(
            status=RegistryEvent.Status.REVIEW,
            reason=code,
            details={"message": " ".join(error.messages)},
            **store,
        ), case
    return _store_event(status=RegistryEvent.Status.APPLIED, **store), case


def _codes(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [str(e.code) for errors in error.error_dict.values() for e in errors if e.code]
    return [str(e.code) for e in error.error_list if e.code]


def record_events(
    *,
    rows: Sequence[EventRow],
    offices: Iterable[RegistryOffice],
    actor: User,
    source: str,
    client: ApiClient | None = None,
    upload: RegistryUpload | None = None,
    request: HttpRequest | None = None,
) -> ImportSummary:
    """Store registry events and apply their effects, row by row, each in its own transaction
    (one row's refusal stores nothing of it and leaves the others alone). Idempotent: an
    application and event already stored is skipped and changes nothing. `offices` are those the
    sender may send for (the uploader's, or the API client's)."""
    offices = list(offices)
    by_code = _offices_by_code(offices)
    summary = ImportSummary()
    for row, checked in zip(rows, classify(rows, offices), strict=True):
        if checked.effect != Effect.NEW:
            summary.results.append(checked)
            continue
        summary.results.append(
            _record_one(
                row=row,
                office=by_code[row.office],
                actor=actor,
                request=request,
                source=source,
                client=client,
                upload=upload,
            )
        )
    return summary


def _record_one(
    *, row: EventRow, office: RegistryOffice, actor: User, request, **origin
) -> RowResult:
    try:
        with transaction.atomic():
            if row.kind == EventKind.RECEIVED:
                event, case = _receive(
                    row=row, office=office, actor=actor, request=request, **origin
                )
            else:
                application = RegistryApplication.objects.get(number=row.application_number)
                event, case = _outcome(
                    row=row, application=application, actor=actor, request=request, **origin
                )
    except IntegrityError:
        # The same event arrived twice at the same moment: the other one stored it.
        return RowResult(
            row.line,
            row.application_number,
            row.kind,
            Effect.SKIPPED,
            "already_imported",
            _("Already imported: nothing changes."),
        )
    except ValidationError as error:
        return RowResult(
            row.line,
            row.application_number,
            row.kind,
            Effect.REJECTED,
            next(iter(_codes(error)), "invalid"),
            " ".join(error.messages),
        )
    if event.status == RegistryEvent.Status.REVIEW:
        return RowResult(
            row.line,
            row.application_number,
            row.kind,
            Effect.REVIEW,
            event.reason,
            reason_message(event.reason, event.details),
            case,
            event,
        )
    return RowResult(
        row.line, row.application_number, row.kind, Effect.APPLIED, "", "", case, event
    )


# --- the upload --------------------------------------------------------------------------------


@dataclass
class Preview:
    upload: RegistryUpload | None
    results: list[RowResult]
    file_error: str = ""

    @property
    def storable(self) -> int:
        return sum(1 for result in self.results if result.effect == Effect.NEW)


@transaction.atomic
def preview_upload(
    *,
    filename: str,
    content: bytes,
    offices: Iterable[RegistryOffice],
    uploaded_by: User,
    request: HttpRequest | None = None,
) -> Preview:
    """Read a registry file and say what importing it would do, row by row, with each error's
    line number in Chinese; nothing of the registry's is stored. The checked rows are kept
    sealed (they hold ID numbers) until the supervisor confirms or discards the import."""
    try:
        rows, errors = read_file(filename, content)
    except FileError as error:
        return Preview(None, [], file_error_message(error))
    offices = list(offices)
    results = classify(rows, offices) + [
        RowResult(error.line, "", "", Effect.REJECTED, error.code, row_error_message(error))
        for error in errors
    ]
    results.sort(key=lambda result: result.line or 0)
    upload = RegistryUpload(
        filename=filename[-120:], uploaded_by=uploaded_by, uploaded_at=timezone.now()
    )
    sealing.seal(upload, rows=json.dumps([row.as_dict() for row in rows]))
    upload.summary = {
        "rows": len(results),
        "new": sum(1 for r in results if r.effect == Effect.NEW),
        "skipped": sum(1 for r in results if r.effect == Effect.SKIPPED),
        "rejected": sum(1 for r in results if r.effect == Effect.REJECTED),
    }
    upload.save()
    audit.record(
        actor=uploaded_by,
        action="registry.upload.preview",
        obj=upload,
        request=request,
        details=upload.summary,
    )
    return Preview(upload, results)


def import_upload(
    *,
    upload: RegistryUpload,
    offices: Iterable[RegistryOffice],
    imported_by: User,
    request: HttpRequest | None = None,
) -> ImportSummary:
    """Import a previewed file: every good row is stored and applied (rows already imported are
    skipped), then the sealed rows are destroyed. Importing the same file again changes nothing.
    Codes: not_yours (another supervisor's upload), not_preview (already imported or discarded)."""
    with transaction.atomic():
        upload = RegistryUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.uploaded_by_id != imported_by.pk:
            raise ValidationError(_("This upload is not yours."), code="not_yours")
        if upload.status != RegistryUpload.Status.PREVIEW:
            raise ValidationError(
                _("This file has already been imported or discarded."), code="not_preview"
            )
        rows = [
            EventRow.from_dict(data)
            for data in json.loads(sealing.open_fields(upload, "rows")["rows"] or "[]")
        ]
        upload.status = RegistryUpload.Status.IMPORTED
        upload.imported_at = timezone.now()
        sealing.seal(upload, rows=None)
        upload.save()
    summary = record_events(
        rows=rows,
        offices=offices,
        actor=imported_by,
        source="upload",
        upload=upload,
        request=request,
    )
    with transaction.atomic():
        upload.summary = {**upload.summary, **summary.counts}
        upload.save(update_fields=["summary"])
        audit.record(
            actor=imported_by,
            action="registry.upload.import",
            obj=upload,
            request=request,
            details=summary.counts,
        )
    return summary


@transaction.atomic
def discard_upload(
    *, upload: RegistryUpload, discarded_by: User, request: HttpRequest | None = None
) -> None:
    """Drop a previewed file unimported: its sealed rows are destroyed."""
    upload = RegistryUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.uploaded_by_id != discarded_by.pk:
        raise ValidationError(_("This upload is not yours."), code="not_yours")
    if upload.status != RegistryUpload.Status.PREVIEW:
        raise ValidationError(
            _("This file has already been imported or discarded."), code="not_preview"
        )
    upload.status = RegistryUpload.Status.DISCARDED
    sealing.seal(upload, rows=None)
    upload.save()
    audit.record(actor=discarded_by, action="registry.upload.discard", obj=upload, request=request)


# --- the supervisor's list -----------------------------------------------------------------------


@transaction.atomic
def resolve_event(
    *,
    event: RegistryEvent,
    resolved_by: User,
    resolution: str,
    accept_registry_date: bool = False,
    request: HttpRequest | None = None,
) -> RegistryEvent:
    """The supervisor settles an event on their list, saying how (code resolution_required). For
    a receipt date that differs, they may take the registry's date for the case (its deadlines
    follow); anything else they correct on the case itself, then mark it resolved here.
    Code not_for_review when the event is not waiting."""
    event = (
        RegistryEvent.objects.select_for_update()
        .select_related("application__case")
        .get(pk=event.pk)
    )
    if event.status != RegistryEvent.Status.REVIEW:
        raise ValidationError(_("This event is not waiting for review."), code="not_for_review")
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError(
            {
                "resolution": ValidationError(
                    _("Say how it was resolved."), code="resolution_required"
                )
            }
        )
    if accept_registry_date:
        if event.reason != "received_date_differs":
            raise ValidationError(
                _("Only a receipt date can be taken from the registry."), code="not_a_date"
            )
        case = event.application.case
        update_case(
            case=case,
            updated_by=resolved_by,
            category=case.category,
            received_on=event.occurred_on,
            request=request,
        )
    event.status = RegistryEvent.Status.RESOLVED
    event.resolved_by, event.resolved_at = resolved_by, timezone.now()
    event.resolution = resolution[:200]
    event.save(update_fields=["status", "resolved_by", "resolved_at", "resolution"])
    audit.record(
        actor=resolved_by,
        action="registry.event.resolve",
        obj=event,
        request=request,
        details={"reason": event.reason, "registry_date": accept_registry_date},
    )
    return event
