"""Views of the core app: thin — reach, form, service, response."""

from django.db.models import Prefetch
from django.shortcuts import render

from . import access
from .models import OfficeMembership


def home(request):
    offices = access.offices_for(request.user).prefetch_related(
        Prefetch(
            "memberships",
            queryset=OfficeMembership.objects.select_related("user").order_by("user__username"),
        )
    )
    return render(request, "mediation/home.html", {"offices": offices})


def office_detail(request, code: str):
    office = access.office_for(request.user, code)
    members = (
        OfficeMembership.objects.filter(office=office)
        .select_related("user")
        .prefetch_related("user__groups")
        .order_by("user__full_name", "user__username")
    )
    return render(request, "mediation/office_detail.html", {"office": office, "members": members})
