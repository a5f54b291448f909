"""Registry events imported instead of re-keyed (DOMAIN.md, 'Registry practice'): which rows can
be stored (an office the sender may act for, an application already received, a date not to
come), which were stored before (skipped: importing twice changes nothing), and storing each in
its own transaction with its effect (registry_effects). The API and the upload both come here.
May import models, registry_file, registry_effects and registry_messages.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Unpack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import (
    ApiClient,
    Case,
    RegistryApplication,
    RegistryEvent,
    RegistryOffice,
    RegistryUpload,
    User,
)
from ..registry_file import EventKind, EventRow
from .cases import CIVIL_CODE_IN_FORCE
from .registry_effects import Origin, error_codes, receive, record_outcome
from .registry_messages import reason_message


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


# --- looking things up -----------------------------------------------------------------------


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
    *,
    row: EventRow,
    office: RegistryOffice,
    actor: User,
    request: HttpRequest | None,
    **origin: Unpack[Origin],
) -> RowResult:
    try:
        with transaction.atomic():
            if row.kind == EventKind.RECEIVED:
                event, case = receive(
                    row=row, office=office, actor=actor, request=request, **origin
                )
            else:
                application = RegistryApplication.objects.get(number=row.application_number)
                event, case = record_outcome(
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
            next(iter(error_codes(error)), "invalid"),
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
