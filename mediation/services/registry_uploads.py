"""A registry file uploaded by a supervisor: a preview first (every row with what it will do, each
error with its line, in Chinese), nothing of the registry's stored until confirmed; the checked
rows are kept sealed meanwhile and destroyed once imported or discarded.
May import models, audit, sealing, registry_file, registry_events and registry_messages.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, sealing
from ..models import RegistryOffice, RegistryUpload, User
from ..registry_file import EventRow, FileError, read_file
from .registry_events import Effect, ImportSummary, RowResult, classify, record_events
from .registry_messages import file_error_message, row_error_message


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
