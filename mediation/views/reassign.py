"""Moving a counsellor's cases to a colleague when they leave: the supervisor picks whose cases,
which of them and who takes them. May import access, forms, models and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import access, services
from ..forms import ReassignForm
from ..http import AuthenticatedHttpRequest
from ..models import Case, User
from .common import form_errors_from


def cases_reassign(request: AuthenticatedHttpRequest, code: str, user_id: int) -> HttpResponse:
    access.require(request.user, "mediation.supervise_office")
    office = access.office_for(request.user, code)
    leaving = (
        User.objects.filter(
            pk=user_id,
            case_assignments__ended_at__isnull=True,
            case_assignments__case__office=office,
        )
        .distinct()
        .first()
    )
    if leaving is None:
        raise Http404
    cases = (
        Case.objects.visible_to(request.user)
        .filter(office=office, assignments__counselor=leaving, assignments__ended_at__isnull=True)
        .distinct()
        .order_by("-status", "number")
    )
    colleagues = User.objects.counselors_of(office).exclude(pk=leaving.pk)
    form = ReassignForm(
        request.POST or None,
        cases=cases,
        counselors=colleagues,
        initial={"cases": list(cases)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.reassign_cases(
                office=office,
                from_counselor=leaving,
                reassigned_by=request.user,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request,
                _("%(count)s cases of %(from)s are now with %(to)s.")
                % {
                    "count": len(moved),
                    "from": leaving.display_name,
                    "to": form.cleaned_data["to_counselor"].display_name,
                },
            )
            return redirect("counselors:desk")
    return render(
        request,
        "mediation/cases_reassign.html",
        {"form": form, "office": office, "leaving": leaving, "cases": cases},
    )
