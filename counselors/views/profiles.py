"""The planner's pages about the counsellors: the list, a new counsellor, a counsellor's profile
with qualifications and unavailability."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediation import access as core_access
from mediation import formats
from mediation.http import AuthenticatedHttpRequest

from .. import access
from ..forms import (
    NewProfileForm,
    ProfileForm,
    QualificationForm,
    UnavailabilityForm,
)
from ..models import (
    CounselorProfile,
    Qualification,
    Unavailability,
)
from ..services import (
    availability,
    profiles,
)
from .common import add_error


def profile_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_planner(request.user)
    offices = core_access.offices_for(request.user)
    profiles = (
        CounselorProfile.objects.filter(offices__in=offices)
        .distinct()
        .select_related("user", "organisation", "home_office")
        .prefetch_related("offices", "qualifications")
    )
    return render(request, "counselors/profile_list.html", {"profiles": profiles})


def profile_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_planner(request.user)
    offices = core_access.offices_for(request.user)
    form = NewProfileForm(request.POST or None, offices=offices)
    if form.is_valid():
        try:
            profile = profiles.create_profile(
                created_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The counsellor is added to the rotation."))
            return redirect("counselors:profile-detail", profile_id=profile.pk)
    return render(request, "counselors/profile_form.html", {"form": form})


def _say_unavailability_saved(request: AuthenticatedHttpRequest, row: Unavailability) -> None:
    """An absence asks for a roster repair; other unavailability is simply saved."""
    if row.kind == Unavailability.Kind.ABSENCE:
        messages.warning(
            request,
            _("Saved. Repair the roster from %(day)s so someone covers the absence.")
            % {"day": formats.long_date(row.start)},
        )
    else:
        messages.success(request, _("Saved."))


def profile_detail(request: AuthenticatedHttpRequest, profile_id: int) -> HttpResponse:
    profile = access.profile_for_planner(request.user, profile_id)
    offices = core_access.offices_for(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    form = ProfileForm(
        request.POST if action == "profile" else None, instance=profile, offices=offices
    )
    # Both forms have a "kind": ids of their own, so each label names its own field.
    qualification_form = QualificationForm(
        request.POST if action == "qualification" else None, auto_id="id_qualification_%s"
    )
    unavailability_form = UnavailabilityForm(
        request.POST if action == "unavailability" else None, administrator=True
    )
    if action == "profile" and form.is_valid():
        try:
            profiles.update_profile(
                profile=profile, changed_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("counselors:profile-detail", profile_id=profile.pk)
    if action == "qualification" and qualification_form.is_valid():
        try:
            profiles.add_qualification(
                counselor=profile,
                added_by=request.user,
                request=request,
                **qualification_form.cleaned_data,
            )
        except ValidationError as error:
            add_error(qualification_form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("counselors:profile-detail", profile_id=profile.pk)
    if action == "unavailability" and unavailability_form.is_valid():
        try:
            row = availability.record_unavailability(
                counselor=profile,
                entered_by=request.user,
                request=request,
                **unavailability_form.cleaned_data,
            )
        except ValidationError as error:
            add_error(unavailability_form, error)
        else:
            _say_unavailability_saved(request, row)
            return redirect("counselors:profile-detail", profile_id=profile.pk)
    return render(
        request,
        "counselors/profile_detail.html",
        {
            "profile": profile,
            "form": form,
            "qualification_form": qualification_form,
            "unavailability_form": unavailability_form,
            "qualifications": profile.qualifications.all(),
            "unavailability": profile.unavailability.filter(
                end__gte=timezone.localdate() - timedelta(days=31)
            ).select_related("entered_by"),
            "today": timezone.localdate(),
        },
    )


@require_POST
def qualification_delete(request: AuthenticatedHttpRequest, qualification_id: int) -> HttpResponse:
    qualification = Qualification.objects.filter(pk=qualification_id).first()
    if qualification is None:
        raise Http404
    profile = access.profile_for_planner(request.user, qualification.counselor_id)
    profiles.remove_qualification(
        qualification=qualification, removed_by=request.user, request=request
    )
    messages.success(request, _("Removed."))
    return redirect("counselors:profile-detail", profile_id=profile.pk)
