"""The navigation: each role sees only what it may use (ARCHITECTURE.md, base layout)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import Notice
from .roles import roles_of

# (url name, label, required permission). Entries whose route does not exist yet are skipped.
NAVIGATION = [
    ("mediation:today", _("Today"), "mediation.work_cases"),
    ("mediation:walk-ins", _("Walk-ins"), "mediation.work_cases"),
    ("mediation:case-list", _("My cases"), "mediation.work_cases"),
    ("counselors:desk", _("Supervisor's desk"), "mediation.supervise_office"),
    ("mediation:office-cases", _("Office cases"), "mediation.supervise_office"),
    ("mediation:registry-review", _("Registry events"), "mediation.supervise_office"),
    ("counselors:my-duties", _("My duty"), "mediation.view_own_duty"),
    ("counselors:roster", _("Rotation"), "mediation.plan_rotation"),
    ("reports:dashboard", _("Statistics"), "mediation.view_statistics"),
    ("reports:report-list", _("Monthly reports"), "mediation.view_statistics"),
    ("mediation:person-find", _("Persons' requests"), "mediation.supervise_office"),
    ("mediation:privacy-register", _("Privacy register"), "mediation.keep_privacy_register"),
    ("mediation:calendar-list", _("Official calendar"), "mediation.manage_calendar"),
    ("mediation:audit-list", _("Audit trail"), "mediation.view_audit_trail"),
    ("mediation:account-list", _("Accounts"), "mediation.view_accounts"),
    ("mediation:api-clients", _("API clients"), "mediation.manage_accounts"),
]


def signed_in_fully(user) -> bool:
    """Past the second factor and not held on the page that replaces a temporary password:
    only then does the navigation show anything (the gate would send every link back)."""
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified()) and not user.must_change_password


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": [], "signed_in_fully": False, "unread_notices": 0}
    if not signed_in_fully(user):
        return {
            "nav_items": [],
            "user_roles": roles_of(user),
            "signed_in_fully": False,
            "unread_notices": 0,
        }
    items = []
    for url_name, label, permission in NAVIGATION:
        if not user.has_perm(permission):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path.startswith(url)})
    unread = Notice.objects.filter(recipient=user, read_at=None).count()
    return {
        "nav_items": items,
        "user_roles": roles_of(user),
        "signed_in_fully": True,
        "unread_notices": unread,
    }
