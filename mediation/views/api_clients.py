"""API clients for the system administrator: the list, a new client (its token shown once, on
this response only), revoking one. May import access, forms, models and services."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import access
from ..forms_registry import ApiClientForm
from ..http import AuthenticatedHttpRequest
from ..models import ApiClient
from ..services import api_clients
from .common import form_errors_from


def _require_sysadmin(request: AuthenticatedHttpRequest) -> None:
    if not access.may_manage_api_clients(request.user):
        raise Http404


@never_cache
def api_client_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_sysadmin(request)
    form = ApiClientForm(request.POST or None)
    new = None
    if request.method == "POST" and form.is_valid():
        try:
            new = api_clients.create_client(
                created_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            form = ApiClientForm()
    clients = ApiClient.objects.prefetch_related("offices").select_related(
        "created_by", "revoked_by"
    )
    return render(
        request, "mediation/api_clients.html", {"form": form, "clients": clients, "new": new}
    )


@require_POST
def api_client_revoke(request: AuthenticatedHttpRequest, client_uuid: UUID) -> HttpResponse:
    _require_sysadmin(request)
    client = ApiClient.objects.filter(uuid=client_uuid).first()
    if client is None:
        raise Http404
    try:
        api_clients.revoke_client(client=client, revoked_by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s is revoked; its token no longer works.") % {"name": client.name}
        )
    return redirect("mediation:api-clients")
