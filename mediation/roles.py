"""The roles of DOMAIN.md ('Who uses it'), as Django groups, what each may do, and the rule of
the three separated administrators (三员分立). Pure constants plus small helpers on a user;
imports nothing of our other modules."""

from collections.abc import Iterable
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    COUNSELOR = "counselor"
    SUPERVISOR = "supervisor"
    CIVIL_AFFAIRS = "civil_affairs"
    WOMENS_FEDERATION = "womens_federation"
    SYSADMIN = "sysadmin"
    SECADMIN = "secadmin"
    AUDITADMIN = "auditadmin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.COUNSELOR: _("Counsellor / mediator"),
    Role.SUPERVISOR: _("Office supervisor"),
    Role.CIVIL_AFFAIRS: _("Civil-affairs administrator"),
    Role.WOMENS_FEDERATION: _("Women's-federation administrator"),
    Role.SYSADMIN: _("System administrator"),
    Role.SECADMIN: _("Security administrator"),
    Role.AUDITADMIN: _("Audit administrator"),
}

# Capabilities granted to each role (codenames in the mediation app: case work on
# RegistryOffice, accounts on User). Case content is never granted to the statistics roles or
# the three administrators (SECURITY.md, 'Access'). The data migrations hold their own copy.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.COUNSELOR: ("work_cases", "view_own_duty"),
    Role.SUPERVISOR: ("supervise_office", "view_own_duty"),
    Role.CIVIL_AFFAIRS: ("view_statistics", "plan_rotation", "manage_calendar"),
    Role.WOMENS_FEDERATION: ("view_statistics",),
    # Accounts, offices, calendar years and keys; never roles (GB/T 22239-2019, 三员分立).
    Role.SYSADMIN: ("view_accounts", "manage_accounts", "manage_calendar"),
    # Roles, office memberships and second factors, the privacy register and impact assessment;
    # cannot create accounts.
    Role.SECADMIN: ("view_accounts", "grant_roles", "reset_second_factor", "keep_privacy_register"),
    # The audit trail, read only.
    Role.AUDITADMIN: ("view_audit_trail",),
}

OFFICE_SCOPED_ROLES = frozenset({Role.COUNSELOR, Role.SUPERVISOR})
ADMINISTRATOR_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN})


def roles_of(user) -> list[Role]:
    """The roles a user holds, in the order of the Role enum (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_tongxin_roles", None)
    if cached is None:
        # From the groups a list prefetched, else one query.
        names = {group.name for group in user.groups.all()}
        cached = [role for role in Role if role.value in names]
        user._tongxin_roles = cached
    return cached


def separation_problem(roles: Iterable[Role]) -> str | None:
    """Why a set of roles may not be held by one person, or None (GB/T 22239-2019 level 3,
    三员分立): no one holds two of the three administrators, and an administrator holds no other
    role at all, so no administrator reaches case content or statistics through a second role.
    Returns "two_administrators" or "administrator_and_other"."""
    held = set(roles)
    administrators = held & ADMINISTRATOR_ROLES
    if len(administrators) > 1:
        return "two_administrators"
    if administrators and held - ADMINISTRATOR_ROLES:
        return "administrator_and_other"
    return None
