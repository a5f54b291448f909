"""Per-request plumbing: a request id that links audit events and log lines of one request, and
the gate that keeps a signed-in user on the second-factor pages until they pass them."""

import uuid

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import urlencode


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


def second_factor_exempt(view):
    """Mark a view a signed-in user may reach before passing the second factor (the code and
    enrolment pages, signing out)."""
    view.second_factor_exempt = True
    return view


def password_change_exempt(view):
    """Mark a view reachable while a temporary password still has to be changed."""
    view.password_change_exempt = True
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
            from .models import TotpDevice

            enrolled = TotpDevice.objects.filter(user=user, confirmed=True).exists()
            target = "mediation:second-factor" if enrolled else "mediation:second-factor-enrol"
            return redirect_with_next(target, request)
        if user.must_change_password and not getattr(view_func, "password_change_exempt", False):
            return redirect_with_next("mediation:password-change", request)
        return None
