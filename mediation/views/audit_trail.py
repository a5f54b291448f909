"""The audit trail's page for the system administrator: browse, filter, verify the chain.
May import access, audit, forms and models; reads only."""

from datetime import datetime, time, timedelta

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import access, audit
from ..forms import AuditFilterForm
from ..models import AuditEvent


def audit_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "mediation.view_audit_trail")
    form = AuditFilterForm(request.GET or None)
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
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    verification = audit.verify() if request.GET.get("verify") else None
    return render(
        request,
        "mediation/audit_list.html",
        {"form": form, "page": page, "verification": verification},
    )
