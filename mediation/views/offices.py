"""The start page (a counsellor's day, a supervisor's desk, or the offices within reach) and an
office's page. May import access and models; reads only."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render

from .. import access
from ..http import AuthenticatedHttpRequest
from ..models import OfficeMembership


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.has_perm("mediation.work_cases"):
        return redirect("mediation:today")
    if request.user.has_perm("mediation.supervise_office"):
        return redirect("counselors:desk")
    offices = access.offices_for(request.user).prefetch_related(
        Prefetch(
            "memberships",
            queryset=OfficeMembership.objects.select_related("user").order_by("user__username"),
        )
    )
    return render(request, "mediation/home.html", {"offices": offices})


def office_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    office = access.office_for(request.user, code)
    members = (
        OfficeMembership.objects.filter(office=office)
        .select_related("user")
        .prefetch_related("user__groups")
        .order_by("user__full_name", "user__username")
    )
    return render(request, "mediation/office_detail.html", {"office": office, "members": members})
