"""Swapping a duty: the counsellor asks a colleague, the colleague answers, the planner reviews the
cover and decides."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediation import access as core_access
from mediation.http import AuthenticatedHttpRequest

from .. import access
from ..forms import (
    SwapApprovalForm,
    SwapForm,
)
from ..models import (
    SwapRequest,
)
from ..services import (
    swaps,
)
from .common import add_error


def swap_create(request: AuthenticatedHttpRequest, duty_id: int) -> HttpResponse:
    profile = access.require_own_profile(request.user)
    duty = access.own_duty(profile, duty_id)
    form = SwapForm(request.POST or None, duty=duty)
    if form.is_valid():
        try:
            swaps.request_swap(
                duty=duty, requested_by=profile, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your colleague is asked; you will see their answer here."))
            return redirect("counselors:my-duties")
    return render(request, "counselors/swap_form.html", {"duty": duty, "form": form})


@require_POST
def swap_answer(request: AuthenticatedHttpRequest, swap_id: int) -> HttpResponse:
    profile = access.require_own_profile(request.user)
    swap = access.swap_for_counselor(profile, swap_id)
    try:
        swaps.answer_swap(
            swap=swap, colleague=profile, accept=request.POST.get("accept") == "1", request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("counselors:my-duties")


@require_POST
def swap_withdraw(request: AuthenticatedHttpRequest, swap_id: int) -> HttpResponse:
    profile = access.require_own_profile(request.user)
    swap = access.swap_for_counselor(profile, swap_id)
    try:
        swaps.withdraw_swap(swap=swap, requested_by=profile, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("counselors:my-duties")


def swap_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_planner(request.user)
    offices = core_access.offices_for(request.user)
    swap_requests = (
        SwapRequest.objects.filter(duty__office__in=offices)
        .select_related(
            "duty__office",
            "exchange__office",
            "requested_by__user",
            "colleague__user",
            "decided_by",
        )
        .order_by("-created_at")[:100]
    )
    return render(request, "counselors/swap_list.html", {"swaps": swap_requests})


@require_POST
def swap_decide(request: AuthenticatedHttpRequest, swap_id: int) -> HttpResponse:
    """Reject from the list; approving goes through the review page, which shows the cover."""
    swap = access.swap_for_planner(request.user, swap_id)
    if request.POST.get("approve") == "1":
        return redirect("counselors:swap-review", swap_id=swap.pk)
    try:
        swaps.decide_swap(swap=swap, decided_by=request.user, approve=False, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Decided; both counsellors are notified."))
    return redirect("counselors:swap-list")


def _only_coverage(error: ValidationError) -> bool:
    return not hasattr(error, "error_dict") and {e.code for e in error.error_list} == {"coverage"}


def swap_review(request: AuthenticatedHttpRequest, swap_id: int) -> HttpResponse:
    """What approving the swap does to the offices' cover, and the approval itself: with an
    explicit override and its reason when it would leave a half-day worse covered."""
    swap = access.swap_for_planner(request.user, swap_id)
    swap = SwapRequest.objects.select_related(
        "duty__office",
        "duty__roster",
        "exchange__office",
        "requested_by__user",
        "colleague__user",
    ).get(pk=swap.pk)
    waiting = swap.status == SwapRequest.Status.ACCEPTED
    warnings = swaps.swap_coverage(swap) if waiting else []
    form = SwapApprovalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and waiting and form.is_valid():
        try:
            swaps.decide_swap(
                swap=swap,
                decided_by=request.user,
                approve=True,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            if _only_coverage(error):
                # The gap is listed above the form: say what approving it takes, not the gap again.
                form.add_error(
                    "override",
                    _("To approve despite the gap, tick this box and give the reason."),
                )
            else:
                add_error(form, error)
        else:
            messages.success(request, _("Approved; both counsellors are notified."))
            return redirect("counselors:swap-list")
    return render(
        request,
        "counselors/swap_review.html",
        {"swap": swap, "warnings": warnings, "form": form, "waiting": waiting},
    )
