"""The bell's page: a user's notices, newest first, and marking them read. Reads only the user's
own notices. May import models and services."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..http import AuthenticatedHttpRequest
from ..models import Notice
from ..services import notices


def notice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(Notice.objects.filter(recipient=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "mediation/notice_list.html", {"page": page})


@require_POST
def notices_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    notices.mark_notices_read(user=request.user)
    return redirect("mediation:notices")
