"""The one door to office-scoped and case records: what a user may reach, or 404.

Views call these helpers and nothing else to decide access (STYLE.md, 'one door'). A record a
user may not reach looks exactly like a missing one, and the attempt is recorded.
"""

from enum import StrEnum
from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest

from . import audit
from .models import Case, CaseRelation, OfficeMembership, RegistryOffice
from .models.cases import CaseQuerySet
from .roles import ADMINISTRATOR_ROLES, OFFICE_SCOPED_ROLES, roles_of


class Action(StrEnum):
    VIEW = "view"  # the case page and its plain data
    WORK = "work"  # consent, parties, screens, sessions, notes, results
    READ_IDENTITY = "read_identity"  # names, ID numbers, phones, addresses
    READ_NOTE = "read_note"  # note text and screening answers
    MANAGE = "manage"  # assignments, deadlines, outcomes of the office's cases
    CLOSE = "close"  # record the registry outcome


ASSIGNED, SUPERVISING = CaseRelation.ASSIGNED, CaseRelation.SUPERVISING

# SECURITY.md, 'Access': counsellors work their assigned cases and read their notes;
# supervisors manage their offices' cases and may open identities, never note text. Who stands
# in which relation to a case is stated once, in models.cases.case_relations.
GRANTS: dict[Action, frozenset[CaseRelation]] = {
    Action.VIEW: frozenset(CaseRelation),  # any relation to a case shows it (visible_to)
    Action.WORK: frozenset({ASSIGNED}),
    Action.READ_NOTE: frozenset({ASSIGNED}),
    Action.READ_IDENTITY: frozenset({ASSIGNED, SUPERVISING}),
    Action.CLOSE: frozenset({ASSIGNED, SUPERVISING}),
    Action.MANAGE: frozenset({SUPERVISING}),
}


def is_city_level(user: Any) -> bool:
    """City-level roles (administrators) see every office; counsellors and supervisors theirs."""
    roles = roles_of(user)
    return bool(roles) and not any(role in OFFICE_SCOPED_ROLES for role in roles)


def offices_for(user: Any) -> QuerySet[RegistryOffice]:
    if not getattr(user, "is_authenticated", False):
        return RegistryOffice.objects.none()
    if is_city_level(user):
        return RegistryOffice.objects.all()
    return RegistryOffice.objects.of_user(user)


def own_office(user: Any) -> RegistryOffice | None:
    """The office a user belongs to first (by the membership's start, then its creation): a
    counsellor who rotates through two rooms opens cases at their own one by default."""
    if getattr(user, "pk", None) is None:
        return None
    membership = (
        OfficeMembership.objects.filter(user=user)
        .select_related("office")
        .order_by(F("since").asc(nulls_last=True), "pk")
        .first()
    )
    return membership.office if membership else None


def office_for(user: Any, code: str) -> RegistryOffice:
    """The office with this code if the user may reach it; 404 otherwise (missing looks alike)."""
    office = offices_for(user).filter(code=code).first()
    if office is None:
        raise Http404
    return office


def require(user: Any, *permissions: str) -> None:
    """Refuse with 404 (not 403) unless the user holds one of `permissions`: a page a role may
    not use looks like no page at all."""
    if not any(user.has_perm(permission) for permission in permissions):
        raise Http404


def require_recorded(
    user: Any,
    permission: str,
    *,
    action: str,
    obj: Any = None,
    request: HttpRequest | None = None,
) -> None:
    """Like `require`, for pages that change accounts, roles and second factors: a refusal is
    also an audit event (who tried what on whom), since trying is worth knowing about."""
    if not user.has_perm(permission):
        audit.record(
            actor=user,
            action=action,
            obj=obj,
            outcome="denied",
            request=request,
            details={"refused": "permission"},
        )
        raise Http404


def relations(user: Any, case: Case) -> frozenset[CaseRelation]:
    """How the user stands to the case, asked once per case object (a fresh object per request,
    so losing an assignment removes access on the next one)."""
    cache: dict[Any, frozenset[CaseRelation]] = case.__dict__.setdefault("_relations_cache", {})
    key = getattr(user, "pk", None)
    if key not in cache:
        cache[key] = Case.objects.relations_of(user, case)
    return cache[key]


def can(user: Any, action: Action | str, case: Case) -> bool:
    """Whether the user may do `action` on the case: the rule of GRANTS, on the relations the
    list filter (`Case.objects.visible_to`) uses too."""
    return bool(GRANTS[Action(action)] & relations(user, case))


def cases_for(user: Any, action: Action | str = Action.VIEW) -> CaseQuerySet:
    """Every case the user may do `action` on; for VIEW, the same as `visible_to`."""
    return Case.objects.reachable_by(user, GRANTS[Action(action)])


def case_for(
    user: Any,
    case_uuid: Any,
    *,
    action: Action | str = Action.VIEW,
    request: HttpRequest | None = None,
) -> Case:
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


def may_read_api_docs(user: Any) -> bool:
    """The API's schema and viewer are for the three administrators (三员分立): the system
    administrator who creates clients, the security and audit administrators who check them."""
    return bool(ADMINISTRATOR_ROLES & set(roles_of(user)))


def may_manage_api_clients(user: Any) -> bool:
    """API clients are system accounts: whoever manages accounts (the system administrator)
    creates and revokes them."""
    return bool(user.has_perm("mediation.manage_accounts"))
