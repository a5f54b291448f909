"""The coverage rule of each registry office: how many counsellors each working half-day needs,
whether one must be qualified, how many the rooms hold. May import models and mediation.
"""

from django.db import transaction
from django.http import HttpRequest

from mediation import audit
from mediation.models import RegistryOffice, User

from ..models import CoverageRule


@transaction.atomic
def save_coverage_rule(
    *,
    office: RegistryOffice,
    needed_am: int,
    needed_pm: int,
    qualified_required: bool,
    room_capacity: int,
    saved_by: User,
    request: HttpRequest | None = None,
) -> CoverageRule:
    """Set an office's coverage rule (one per office, made on first save); the next plan or
    repair staffs every working half-day by it (docs/rotation.md, 'Coverage rules')."""
    rule = CoverageRule.objects.select_for_update().filter(office=office).first()
    if rule is None:
        rule = CoverageRule(office=office)
    rule.needed_am = needed_am
    rule.needed_pm = needed_pm
    rule.qualified_required = qualified_required
    rule.room_capacity = room_capacity
    rule.full_clean()
    rule.save()
    audit.record(
        actor=saved_by,
        action="duty.coverage",
        obj=rule,
        request=request,
        details={
            "needed_am": needed_am,
            "needed_pm": needed_pm,
            "qualified_required": qualified_required,
            "room_capacity": room_capacity,
        },
    )
    return rule
