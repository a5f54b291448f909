"""The one door to office-scoped and case records: what a user may reach, or 404.

Views call these helpers and nothing else to decide access (STYLE.md, 'one door').
"""

from django.db.models import QuerySet
from django.http import Http404

from .models import RegistryOffice
from .roles import OFFICE_SCOPED_ROLES, roles_of


def is_city_level(user) -> bool:
    """City-level roles (administrators) see every office; counsellors and supervisors theirs."""
    roles = roles_of(user)
    return bool(roles) and not any(role in OFFICE_SCOPED_ROLES for role in roles)


def offices_for(user) -> QuerySet[RegistryOffice]:
    if not getattr(user, "is_authenticated", False):
        return RegistryOffice.objects.none()
    if is_city_level(user):
        return RegistryOffice.objects.all()
    return RegistryOffice.objects.of_user(user)


def office_for(user, code: str) -> RegistryOffice:
    """The office with this code if the user may reach it; 404 otherwise (missing looks alike)."""
    office = offices_for(user).filter(code=code).first()
    if office is None:
        raise Http404
    return office


def require(user, permission: str) -> None:
    """Refuse with 404 (not 403): a page a role may not use looks like no page at all."""
    if not user.has_perm(permission):
        raise Http404
