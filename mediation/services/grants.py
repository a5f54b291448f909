"""Roles and office memberships, granted and removed by the security administrator, and the
check of the three separated administrators (三员分立, GB/T 22239-2019 level 3) that the
security administrator's page shows. May import models, audit, roles and services.accounts.

Nobody changes their own roles or memberships; no one holds two of the three administrators,
nor an administrator role beside any other; every grant, removal and refusal is in the trail.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import OfficeMembership, RegistryOffice, User
from ..roles import ADMINISTRATOR_ROLES, Role, roles_of, separation_problem
from .accounts import (
    create_account,
    refuse,
    require_other_account,
    require_permission,
    require_reason,
)

GRANT_ROLES = "mediation.grant_roles"
ACTION = "account.roles"


@dataclass
class Changes:
    granted: list[Role] = field(default_factory=list)
    removed: list[Role] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)  # office codes
    left: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.granted or self.removed or self.joined or self.left)


def separation_message(problem: str) -> str:
    if problem == "two_administrators":
        return _(
            "Nobody may hold two of the system, security and audit administrator roles "
            "(separation of the three administrators)."
        )
    return _(
        "An administrator holds no other role: the system, security and audit administrators "
        "never work cases or see statistics."
    )


def set_roles_and_offices(
    *,
    actor: User | None,
    account: User,
    roles: Iterable[Role],
    offices: Iterable[RegistryOffice],
    reason: str,
    request: HttpRequest | None = None,
) -> Changes:
    """Give the account exactly these roles and office memberships. Only the security
    administrator may (PermissionDenied otherwise, the attempt in the trail); never on their own
    account (code "own_account"); never two administrator roles or an administrator role with
    another (codes "two_administrators", "administrator_and_other"); a reason is required
    ("no_reason"). One audit event per role or office granted or removed."""
    require_permission(actor, GRANT_ROLES, action=ACTION, account=account, request=request)
    require_other_account(actor, account, action=ACTION, request=request)
    reason = require_reason(reason)
    wanted_roles = {Role(role) for role in roles}
    problem = separation_problem(wanted_roles)
    if problem:
        refuse(actor=actor, action=ACTION, account=account, why=problem, request=request)
        raise ValidationError({"roles": ValidationError(separation_message(problem), code=problem)})
    wanted_offices = {office.code: office for office in offices}
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        names = account.groups.filter(name__in=list(Role)).values_list("name", flat=True)
        held_roles = {Role(name) for name in names}
        held_offices = set(account.memberships.values_list("office__code", flat=True))
        changes = Changes(
            granted=sorted(wanted_roles - held_roles),
            removed=sorted(held_roles - wanted_roles),
            joined=sorted(set(wanted_offices) - held_offices),
            left=sorted(held_offices - set(wanted_offices)),
        )
        groups = {group.name: group for group in Group.objects.filter(name__in=list(Role))}
        for role in changes.granted:
            account.groups.add(groups[role.value])
            _record(actor, "account.role.grant", account, reason, request, role=role.value)
        for role in changes.removed:
            account.groups.remove(groups[role.value])
            _record(actor, "account.role.remove", account, reason, request, role=role.value)
        for code in changes.joined:
            OfficeMembership.objects.create(
                user=account, office=wanted_offices[code], since=timezone.localdate()
            )
            _record(actor, "account.office.join", account, reason, request, office=code)
        if changes.left:
            OfficeMembership.objects.filter(user=account, office__code__in=changes.left).delete()
            for code in changes.left:
                _record(actor, "account.office.leave", account, reason, request, office=code)
    return changes


def _record(
    actor: User | None,
    action: str,
    account: User,
    reason: str,
    request: HttpRequest | None,
    **what: str,
) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=account,
        request=request,
        details={"reason": reason, "account": account.username, **what},
    )


@dataclass(frozen=True)
class Finding:
    account: User
    problem: str
    message: str


def separation_findings() -> list[Finding]:
    """Every account that breaks the separation of the three administrators, whatever put it
    there (the shell, an old database): two administrator roles, an administrator role beside
    another, or the superuser flag (which grants nothing here, but should not be set)."""
    admin_names = [role.value for role in ADMINISTRATOR_ROLES]
    suspects = (
        User.objects.filter(is_active=True)
        .annotate(admin_roles=Count("groups", filter=Q(groups__name__in=admin_names)))
        .filter(Q(admin_roles__gte=1) | Q(is_superuser=True))
        .order_by("username")
    )
    findings = []
    for account in suspects:
        problem = separation_problem(roles_of(account))
        if problem:
            findings.append(Finding(account, problem, separation_message(problem)))
        if account.is_superuser:
            findings.append(
                Finding(
                    account,
                    "superuser",
                    _(
                        "The superuser flag is set. It grants nothing in Tongxin, but it should "
                        "be cleared: permissions come from roles only."
                    ),
                )
            )
    return findings


def create_administrator(
    *, username: str, full_name: str, role: Role, reason: str
) -> tuple[User, str]:
    """From the shell, for a new installation or when no administrator of a kind is left: an
    account holding one administrator role, with a temporary password (returned). Recorded in
    the trail as done by the system."""
    if role not in ADMINISTRATOR_ROLES:
        raise ValidationError(_("Only an administrator role can be given this way."), code="role")
    with transaction.atomic():
        account, password = create_account(
            actor=None, username=username, full_name=full_name, reason=reason
        )
        set_roles_and_offices(actor=None, account=account, roles=[role], offices=[], reason=reason)
    return account, password
