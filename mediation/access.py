"""The one door to office-scoped and case records: what a user may reach, or 404.

Views call these helpers and nothing else to decide access (STYLE.md, 'one door'). A record a
user may not reach looks exactly like a missing one, and the attempt is recorded.
"""

from enum import StrEnum

from django.db.models import QuerySet
from django.http import Http404

from . import audit
from .models import Case, CaseAssignment, RegistryOffice
from .roles import OFFICE_SCOPED_ROLES, roles_of


class Action(StrEnum):
    VIEW = "view"  # the case page and its plain data
    WORK = "work"  # consent, parties, screens, sessions, notes, results
    READ_IDENTITY = "read_identity"  # names, ID numbers, phones, addresses
    READ_NOTE = "read_note"  # note text
    MANAGE = "manage"  # assignments, deadlines, outcomes of the office's cases
    CLOSE = "close"  # record the registry outcome


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


def _is_assigned(user, case: Case) -> bool:
    cache = case.__dict__.setdefault("_assigned_cache", {})
    if user.pk not in cache:
        cache[user.pk] = (
            user.has_perm("mediation.work_cases")
            and CaseAssignment.objects.filter(
                case=case, counselor=user, ended_at__isnull=True
            ).exists()
            and RegistryOffice.objects.of_user(user).filter(pk=case.office_id).exists()
        )
    return cache[user.pk]


def _supervises(user, case: Case) -> bool:
    return (
        user.has_perm("mediation.supervise_office")
        and RegistryOffice.objects.of_user(user).filter(pk=case.office_id).exists()
    )


def can(user, action: Action | str, case: Case) -> bool:
    """The rules of SECURITY.md, 'Access': counsellors work their assigned cases and read their
    notes; supervisors manage their offices' cases and may open identities, never note text."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    action = Action(action)
    assigned = _is_assigned(user, case)
    if action in (Action.WORK, Action.READ_NOTE):
        return assigned
    if action in (Action.VIEW, Action.READ_IDENTITY, Action.CLOSE):
        return assigned or _supervises(user, case)
    if action is Action.MANAGE:
        return _supervises(user, case)
    return False


def case_for(user, case_uuid, *, action: Action | str = Action.VIEW, request=None) -> Case:
    """The case if the user may do `action` on it; 404 otherwise, recording the denial when the
    case exists (a probe of someone else's case is worth knowing about)."""
    case = Case.objects.select_related("office").filter(uuid=case_uuid).first()
    if case is not None and can(user, action, case):
        return case
    if case is not None:
        audit.record(
            actor=user,
            action=f"case.{action}",
            obj=case,
            outcome="denied",
            request=request,
        )
    raise Http404


def require_case(user, action: Action | str, case: Case, *, request=None) -> None:
    if not can(user, action, case):
        audit.record(
            actor=user, action=f"case.{action}", obj=case, outcome="denied", request=request
        )
        raise Http404
