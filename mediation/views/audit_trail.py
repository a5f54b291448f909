"""The audit trail's pages for the audit administrator: browse, filter, verify the chain, and
export the filtered events as CSV. May import access, audit, forms and models; reads only (the
export is itself an audit event)."""

import csv
from collections.abc import Iterator
from datetime import datetime, time, timedelta

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import access, audit
from ..forms import AuditFilterForm
from ..http import AuthenticatedHttpRequest
from ..models import AuditEvent

PERMISSION = "mediation.view_audit_trail"
EXPORT_COLUMNS = (
    "seq",
    "at",
    "actor_username",
    "role",
    "office_code",
    "action",
    "object_type",
    "object_uuid",
    "outcome",
    "request_id",
    "details",
    "hash",
)


def _filtered(form: AuditFilterForm) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.order_by("-seq")
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"])
        if data["username"]:
            events = events.filter(actor_username=data["username"])
        if data["office"]:
            events = events.filter(office_code=data["office"].upper())
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["day"]:
            start = timezone.make_aware(datetime.combine(data["day"], time.min))
            events = events.filter(at__gte=start, at__lt=start + timedelta(days=1))
    return events


def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(request.user, PERMISSION)
    form = AuditFilterForm(request.GET or None)
    page = Paginator(_filtered(form), 100).get_page(request.GET.get("page"))
    verification = audit.verify() if request.GET.get("verify") else None
    return render(
        request,
        "mediation/audit_list.html",
        {"form": form, "page": page, "verification": verification},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                event.at.isoformat() if name == "at" else getattr(event, name)
                for name in EXPORT_COLUMNS
            ]
        )


def audit_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The filtered events as CSV (UTF-8 with BOM, for Excel), oldest first, with each event's
    hash so a copy can be checked against the chain later. The export is an event itself."""
    access.require(request.user, PERMISSION)
    form = AuditFilterForm(request.GET or None)
    events = _filtered(form).order_by("seq")
    filters = {k: str(v) for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}
    audit.record(
        actor=request.user, action="audit.export", request=request, details={"filters": filters}
    )
    response = StreamingHttpResponse(_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tongxin-audit-trail.csv"'
    return response
