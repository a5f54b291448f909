"""The second step of signing in (a code, or enrolling an authenticator the first time), and
what every user does for their own account: change the password, new backup codes, sign out
everywhere. May import access, forms, models, services and middleware; thin views.
"""

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from ..account_forms import CodeForm, EnrolmentCodeForm, OwnPasswordForm
from ..http import AuthenticatedHttpRequest
from ..middleware import password_change_exempt, second_factor_exempt
from ..models import OfficeMembership, SignInSession, TotpDevice
from ..roles import roles_of
from ..services import accounts, two_factor


def _next_url(request: AuthenticatedHttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _mark_verified(request: AuthenticatedHttpRequest, device: TotpDevice) -> None:
    """django-otp's mark on the session (OTPMiddleware reads it on every request), under a new
    session key: a key seen before the second step is worth nothing after it."""
    otp_login(request, device)
    request.session.cycle_key()


@never_cache
@sensitive_post_parameters("code")
@second_factor_exempt
@password_change_exempt
def second_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    # django-otp's OTPMiddleware gives the request's user is_verified(); it ships no types.
    if request.user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    if not two_factor.is_enrolled(request.user):
        return redirect("mediation:second-factor-enrol")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            verified = two_factor.verify(
                user=request.user, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            _mark_verified(request, verified.device)
            if verified.method == "backup_code":
                messages.warning(
                    request,
                    _(
                        "You signed in with a backup code; %(left)d are left. If your phone is "
                        "lost, ask the security administrator to reset your authenticator."
                    )
                    % {"left": verified.backup_codes_left},
                )
            return redirect(_next_url(request))
    return render(
        request,
        "mediation/sign_in/second_factor.html",
        {"form": form, "next": _next_url(request)},
    )


@never_cache
@sensitive_variables("enrolment")
@sensitive_post_parameters("code")
@second_factor_exempt
@password_change_exempt
def second_factor_enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    if two_factor.is_enrolled(request.user):
        return redirect("mediation:second-factor")
    form = EnrolmentCodeForm(request.POST or None)
    if form.is_valid():
        try:
            device, codes = two_factor.confirm_enrolment(
                user=request.user, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            _mark_verified(request, device)
            return render(
                request,
                "mediation/sign_in/backup_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
    enrolment = two_factor.begin_enrolment(user=request.user, request=request)
    return render(
        request,
        "mediation/sign_in/enrol.html",
        {"form": form, "enrolment": enrolment, "next": _next_url(request)},
    )


@never_cache
@sensitive_post_parameters()
@password_change_exempt
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's own password: required while it is a temporary one, any time otherwise."""
    form = OwnPasswordForm(request.user, request.POST or None)
    if form.is_valid():
        try:
            accounts.change_own_password(
                user=request.user,
                new_password=form.cleaned_data["new_password1"],
                keep_session_key=request.session.session_key,
                request=request,
            )
        except ValidationError as error:
            form.add_error("new_password1", error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(
                request, _("Your password is changed. Your other sessions have been signed out.")
            )
            return redirect(_next_url(request))
    return render(
        request,
        "mediation/sign_in/password_change.html",
        {"form": form, "forced": request.user.must_change_password, "next": _next_url(request)},
    )


def my_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "mediation/sign_in/my_account.html",
        {
            "roles": roles_of(user),
            "memberships": OfficeMembership.objects.filter(user=user).select_related("office"),
            "backup_codes_left": two_factor.backup_codes_left(user),
            "sessions": SignInSession.objects.filter(user=user).count(),
        },
    )


@never_cache
@require_POST
def backup_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    codes = two_factor.new_backup_codes(user=request.user, request=request)
    return render(
        request,
        "mediation/sign_in/backup_codes.html",
        {"codes": codes, "next": "", "first_time": False},
    )


@require_POST
def sign_out_everywhere(request: AuthenticatedHttpRequest) -> HttpResponse:
    ended = accounts.sign_out_everywhere(user=request.user, request=request)
    logout(request)
    messages.success(
        request,
        _("You are signed out on every device (%(count)d sessions ended).") % {"count": ended},
    )
    return redirect("login")
