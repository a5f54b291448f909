"""The five roles of DOMAIN.md ('Who uses it'), as Django groups, and what each may do.

Pure constants plus small helpers on a user; imports nothing of our other modules.
"""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    COUNSELOR = "counselor"
    SUPERVISOR = "supervisor"
    CIVIL_AFFAIRS = "civil_affairs"
    WOMENS_FEDERATION = "womens_federation"
    SYSADMIN = "sysadmin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.COUNSELOR: _("Counsellor / mediator"),
    Role.SUPERVISOR: _("Office supervisor"),
    Role.CIVIL_AFFAIRS: _("Civil-affairs administrator"),
    Role.WOMENS_FEDERATION: _("Women's-federation administrator"),
    Role.SYSADMIN: _("System administrator"),
}

# Capabilities (codename on mediation.RegistryOffice) granted to each role. Case content is
# never granted to the statistics roles or the system administrator (SECURITY.md, 'Access').
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.COUNSELOR: ("work_cases", "view_own_duty"),
    Role.SUPERVISOR: ("supervise_office", "view_own_duty"),
    Role.CIVIL_AFFAIRS: ("view_statistics", "plan_rotation", "manage_calendar"),
    Role.WOMENS_FEDERATION: ("view_statistics",),
    Role.SYSADMIN: ("view_audit_trail", "manage_calendar"),
}

OFFICE_SCOPED_ROLES = frozenset({Role.COUNSELOR, Role.SUPERVISOR})


def roles_of(user) -> list[Role]:
    """The roles a user holds, in the order of the Role enum (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_tongxin_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = [role for role in Role if role.value in names]
        user._tongxin_roles = cached
    return cached
