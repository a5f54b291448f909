"""Accounts in Tongxin's own pages (no Django admin): the list, creating an account, its page,
and the administrators' actions on it. The system administrator creates, edits, deactivates,
reactivates and resets passwords; the security administrator grants roles and offices and
resets second factors. May import access, forms, models and services; thin views: reach,
form, service, response. A refusal is an audit event (access.require_recorded).
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables

from .. import access
from ..account_forms import (
    AccountCreateForm,
    AccountEditForm,
    AccountFilterForm,
    GrantForm,
    ReasonForm,
)
from ..http import AuthenticatedHttpRequest
from ..models import OfficeMembership, SignInSession, TotpDevice, User
from ..roles import Role
from ..services import accounts, grants, two_factor
from .common import form_errors_from

VIEW = "mediation.view_accounts"
MANAGE = "mediation.manage_accounts"
GRANT = "mediation.grant_roles"
RESET_FACTOR = "mediation.reset_second_factor"
ROLE_NAMES = {role.value for role in Role}


def _accounts() -> QuerySet[User]:
    """Accounts with their groups prefetched: `held_roles` reads them with no query per row."""
    rows: QuerySet[User] = (
        User.objects.prefetch_related(
            "groups",
            Prefetch(
                "memberships",
                queryset=OfficeMembership.objects.select_related("office").order_by("office__code"),
            ),
        )
        .annotate(enrolled=Exists(TotpDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        # An API client's system account is managed on the API clients' page, never given
        # roles, a password or a second factor here.
        .filter(api_client__isnull=True)
        .order_by("username")
    )
    return rows


def _account(user_id: int) -> User:
    return get_object_or_404(_accounts(), pk=user_id)


def account_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(request.user, VIEW)
    form = AccountFilterForm(request.GET or None)
    rows = _accounts()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            rows = rows.filter(Q(username__icontains=data["q"]) | Q(full_name__icontains=data["q"]))
        if data["role"] == "none":
            rows = rows.exclude(groups__name__in=ROLE_NAMES)
        elif data["role"]:
            rows = rows.filter(groups__name=data["role"])
        if data["office"]:
            rows = rows.filter(memberships__office=data["office"])
        if data["active"]:
            rows = rows.filter(is_active=data["active"] == "1")
    page = Paginator(rows.distinct(), 50).get_page(request.GET.get("page"))
    checks = grants.separation_findings() if request.user.has_perm(GRANT) else None
    return render(
        request,
        "mediation/accounts/list.html",
        {
            "form": form,
            "page": page,
            "findings": checks,
            "may_create": request.user.has_perm(MANAGE),
        },
    )


@never_cache
@sensitive_variables("password")
def account_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_recorded(request.user, MANAGE, action="account.create", request=request)
    form = AccountCreateForm(request.POST or None)
    if form.is_valid():
        try:
            account, password = accounts.create_account(
                actor=request.user, **form.cleaned_data, request=request
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            return render(
                request,
                "mediation/accounts/temporary_password.html",
                {"account": account, "password": password, "created": True},
            )
    return render(request, "mediation/accounts/create.html", {"form": form})


def account_detail(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    access.require(request.user, VIEW)
    account = _account(user_id)
    device = TotpDevice.objects.filter(user=account).first()
    return render(
        request,
        "mediation/accounts/detail.html",
        {
            "account": account,
            "device": device,
            "backup_codes_left": two_factor.backup_codes_left(account),
            "sessions": SignInSession.objects.filter(user=account).count(),
            "is_self": account.pk == request.user.pk,
            "may_manage": request.user.has_perm(MANAGE),
            "may_grant": request.user.has_perm(GRANT),
            "may_reset_factor": request.user.has_perm(RESET_FACTOR),
        },
    )


def account_edit(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    account = get_object_or_404(User, pk=user_id)
    access.require_recorded(
        request.user, MANAGE, action="account.update", obj=account, request=request
    )
    form = AccountEditForm(request.POST or None, instance=User.objects.get(pk=account.pk))
    if form.is_valid():
        try:
            accounts.update_account(
                actor=request.user, account=account, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The account is saved."))
            return redirect("mediation:account-detail", user_id=account.pk)
    return render(request, "mediation/accounts/edit.html", {"account": account, "form": form})


# The actions that need only a reason: (permission, audit action, service, page texts).
ACTIONS: dict[str, dict[str, Any]] = {
    "deactivate": {
        "permission": MANAGE,
        "action": "account.deactivate",
        "service": accounts.deactivate_account,
    },
    "reactivate": {
        "permission": MANAGE,
        "action": "account.reactivate",
        "service": accounts.reactivate_account,
    },
    "password-reset": {
        "permission": MANAGE,
        "action": "account.password.reset",
        "service": accounts.reset_password,
    },
    "second-factor-reset": {
        "permission": RESET_FACTOR,
        "action": "two_factor.reset",
        "service": two_factor.reset_second_factor,
    },
}


def _texts(kind: str, account: User) -> dict[str, str]:
    name = account.display_name
    return {
        "deactivate": {
            "title": _("Deactivate %(name)s") % {"name": name},
            "intro": _(
                "The account can no longer sign in, and every session it has ends now. Cases, "
                "notes and the audit trail keep its name."
            ),
            "submit": _("Deactivate"),
            "done": _("The account is deactivated and its sessions have ended."),
        },
        "reactivate": {
            "title": _("Reactivate %(name)s") % {"name": name},
            "intro": _("The account can sign in again with its password and second factor."),
            "submit": _("Reactivate"),
            "done": _("The account is active again."),
        },
        "password-reset": {
            "title": _("Reset the password of %(name)s") % {"name": name},
            "intro": _(
                "Tongxin makes a temporary password, shown to you once, for you to hand over in "
                "person or by phone. The person must change it at their next sign-in; it expires "
                "after a few days. Every session of the account ends now. The second factor "
                "stays as it is."
            ),
            "submit": _("Reset the password"),
            "done": "",
        },
        "second-factor-reset": {
            "title": _("Reset the second factor of %(name)s") % {"name": name},
            "intro": _(
                "The authenticator app and the backup codes of this account stop working, and "
                "every session of the account ends now. At the next sign-in the person sets up "
                "their authenticator app again. Do this only when you are sure who is asking "
                "(a lost or replaced phone)."
            ),
            "submit": _("Reset the second factor"),
            "done": _("The second factor is reset; the person sets it up at their next sign-in."),
        },
    }[kind]


@never_cache
@sensitive_variables("password")
def account_action(request: AuthenticatedHttpRequest, user_id: int, kind: str) -> HttpResponse:
    spec = ACTIONS.get(kind)
    if spec is None:
        raise Http404
    account = get_object_or_404(User, pk=user_id)
    access.require_recorded(
        request.user, spec["permission"], action=spec["action"], obj=account, request=request
    )
    texts = _texts(kind, account)
    form = ReasonForm(request.POST or None)
    if form.is_valid():
        try:
            result = spec["service"](
                actor=request.user,
                account=account,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            if kind == "password-reset":
                password = result
                return render(
                    request,
                    "mediation/accounts/temporary_password.html",
                    {"account": account, "password": password, "created": False},
                )
            messages.success(request, texts["done"])
            return redirect("mediation:account-detail", user_id=account.pk)
    return render(
        request,
        "mediation/accounts/action.html",
        {
            "account": account,
            "form": form,
            "kind": kind,
            **texts,
            "is_self": account.pk == request.user.pk,
        },
    )


def account_grants(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    account = get_object_or_404(User, pk=user_id)
    access.require_recorded(request.user, GRANT, action=grants.ACTION, obj=account, request=request)
    account = _account(account.pk)
    initial = {
        "roles": [role.value for role in account.held_roles],
        "offices": [membership.office for membership in account.memberships.all()],
    }
    form = GrantForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            changes = grants.set_roles_and_offices(
                actor=request.user,
                account=account,
                roles=form.cleaned_data["roles"],
                offices=form.cleaned_data["offices"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            if changes:
                messages.success(request, _("The roles and offices are saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("mediation:account-detail", user_id=account.pk)
    return render(
        request,
        "mediation/accounts/grants.html",
        {"account": account, "form": form, "is_self": account.pk == request.user.pk},
    )
