"""Per-request plumbing: a request id that links audit events and log lines of one request, the
gate that keeps a signed-in user on the second-factor pages until they pass them, and the REST
API's own: answers in Chinese, and every call written to the audit trail."""

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.http import urlencode

from .models import TotpDevice
from .services.api_clients import record_call

API_PREFIX = "/api/"
# Pages of the API for signed-in administrators (the schema and its viewer), not calls.
API_DOCS = ("openapi-json", "openapi-view")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


def second_factor_exempt[View: Callable[..., HttpResponseBase]](view: View) -> View:
    """Mark a view a signed-in user may reach before passing the second factor (the code and
    enrolment pages, signing out)."""
    # A mark on the function, as Django's csrf_exempt sets one: mypy has no type for it.
    view.second_factor_exempt = True  # type: ignore[attr-defined]
    return view


def password_change_exempt[View: Callable[..., HttpResponseBase]](view: View) -> View:
    """Mark a view reachable while a temporary password still has to be changed."""
    # A mark on the function, as Django's csrf_exempt sets one: mypy has no type for it.
    view.password_change_exempt = True  # type: ignore[attr-defined]
    return view


def redirect_with_next(name: str, request: HttpRequest) -> HttpResponseRedirect:
    target = resolve_url(name)
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(target)


class SecondFactorMiddleware:
    """A correct password alone opens nothing (SECURITY.md, 'Administrators and sign-in'): a
    signed-in user whose session has not passed the second factor reaches only the code page (or
    the enrolment page, the first time) and signing out; then, while their password is a
    temporary one, only the page that changes it. Views public by design (login_not_required:
    sign-in, language, the calendar feed) are left alone. Goes after OTPMiddleware, which
    tells whether the session is verified, and after LoginRequiredMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if not user.is_authenticated or getattr(view_func, "second_factor_exempt", False):
            return None
        if not user.is_verified():
            enrolled = TotpDevice.objects.filter(user=user, confirmed=True).exists()
            target = "mediation:second-factor" if enrolled else "mediation:second-factor-enrol"
            return redirect_with_next(target, request)
        if user.must_change_password and not getattr(view_func, "password_change_exempt", False):
            return redirect_with_next("mediation:password-change", request)
        return None


class ApiMiddleware:
    """Under /api/: messages in Chinese whatever the client's language, and one audit event per
    call — which client (if any), which endpoint, the status and error code, the offices."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        with translation.override("zh-hans"):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        endpoint = match.url_name if match else ""
        if endpoint not in API_DOCS:
            record_call(
                client=getattr(request, "api_client", None),
                endpoint=endpoint or request.path[:80],
                status=response.status_code,
                code=getattr(request, "api_code", ""),
                offices=getattr(request, "api_offices", ()),
                request=request,
            )
        return response
