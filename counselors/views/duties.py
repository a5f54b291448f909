"""A counsellor's own duty: the duty page, unavailability, the notices and the digest, and the
calendar feed their calendar program subscribes to (the URL's secret is the key)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mediation import access as core_access
from mediation.calendar import month_start
from mediation.http import AuthenticatedHttpRequest
from mediation.models import Notice
from mediation.services import notices

from .. import access, ics
from ..forms import (
    UnavailabilityForm,
)
from ..models import (
    Duty,
    SwapRequest,
)
from ..services import (
    availability,
    digests,
    feed_tokens,
)


def my_duties(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = access.own_profile(request.user)
    if profile is None and request.user.has_perm(access.SUPERVISE):
        # A supervisor takes no duty of their own: their duty page is their office's roster.
        office = core_access.offices_for(request.user).first()
        if office is not None:
            return redirect("counselors:office-roster", code=office.code)
    context: dict[str, object] = {"profile": profile}
    if profile is not None:
        today = timezone.localdate()
        context.update(
            duties=Duty.objects.published()
            .filter(counselor=profile, day__gte=month_start(today))
            .select_related("office")
            .prefetch_related(
                Prefetch(
                    "swap_requests",
                    queryset=SwapRequest.objects.filter(status__in=SwapRequest.OPEN),
                    to_attr="open_swaps",
                )
            ),
            today=today,
            feed_url=request.build_absolute_uri(
                reverse("counselors:duty-feed", args=[feed_tokens.feed_token(profile)])
            ),
            swaps=SwapRequest.objects.filter(requested_by=profile)
            .select_related("duty__office", "colleague__user", "exchange")
            .order_by("-created_at")[:20],
            offered=SwapRequest.objects.filter(colleague=profile)
            .select_related("duty__office", "requested_by__user", "exchange")
            .order_by("-created_at")[:20],
            unavailability=profile.unavailability.filter(end__gte=today),
            notices=Notice.objects.filter(recipient=request.user)[:10],
            unavailability_form=UnavailabilityForm(),
        )
    return render(request, "counselors/duty_mine.html", context)


@require_POST
def my_unavailability(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = access.require_own_profile(request.user)
    form = UnavailabilityForm(request.POST)
    if form.is_valid():
        try:
            availability.record_unavailability(
                counselor=profile, entered_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved. The next plan or repair will respect it."))
    else:
        messages.error(request, _("Please correct the dates."))
    return redirect("counselors:my-duties")


@require_POST
def unavailability_delete(request: AuthenticatedHttpRequest, row_id: int) -> HttpResponse:
    row = access.unavailability_for(request.user, row_id)
    if request.user.has_perm(access.PLAN):
        target = reverse("counselors:profile-detail", args=[row.counselor_id])
    else:
        target = reverse("counselors:my-duties")
    availability.remove_unavailability(row=row, removed_by=request.user, request=request)
    messages.success(request, _("Removed."))
    return redirect(target)


@require_POST
def feed_reset(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = access.require_own_profile(request.user)
    feed_tokens.reset_feed(profile=profile, request=request)
    messages.success(
        request, _("Your calendar address is new; the old one no longer works. Subscribe again.")
    )
    return redirect("counselors:my-duties")


@require_POST
def notices_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_own_profile(request.user)
    notices.mark_notices_read(user=request.user)
    return redirect("counselors:my-duties")


@require_POST
def duty_digest(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = access.require_own_profile(request.user)
    try:
        digests.set_duty_digest(
            profile=profile, enabled=bool(request.POST.get("enabled")), request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("counselors:my-duties")


@login_not_required
@never_cache
def duty_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A counsellor's published duties as an iCalendar feed; the URL's secret is the key."""
    profile = feed_tokens.profile_for_feed_token(token)
    if profile is None:
        raise Http404
    since = timezone.localdate() - timedelta(days=62)
    duties = (
        Duty.objects.published()
        .filter(counselor=profile, day__gte=since)
        .select_related("office")
        .order_by("day", "half_day")
    )
    body = ics.duty_calendar(
        name=_("Duty of %(name)s") % {"name": profile.display_name},
        duties=[
            ics.FeedDuty(
                uid=f"duty-{duty.pk}@tongxin",
                starts_at=duty.starts_at(),
                ends_at=duty.ends_at(),
                summary=_("Duty at %(office)s") % {"office": duty.office.display_name},
                location=duty.office.address or duty.office.display_name,
            )
            for duty in duties
        ],
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="duty.ics"'
    return response
