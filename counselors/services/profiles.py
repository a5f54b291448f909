"""The administrator's records of the people in the rotation: counsellor profiles and their
qualifications, each change audited. May import models and mediation (audit, offices, users).
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from mediation import audit
from mediation.models import RegistryOffice, User

from ..models import CounselorProfile, Organisation, Qualification


def _check_home_office(home_office: RegistryOffice | None, offices: list[RegistryOffice]) -> None:
    if home_office is not None and home_office not in offices:
        message = _("The home office must be one they may serve.")
        raise ValidationError({"home_office": ValidationError(message, code="home_not_served")})


@transaction.atomic
def create_profile(
    *,
    user: User,
    organisation: Organisation,
    role: str,
    offices: Iterable[RegistryOffice],
    created_by: User,
    home_office: RegistryOffice | None = None,
    max_half_days_per_week: int = 4,
    max_half_days_per_month: int = 14,
    in_rotation: bool = True,
    request: HttpRequest | None = None,
) -> CounselorProfile:
    """Add someone to the rotation (docs/rotation.md, 'What the planner takes into account').

    The home office must be one of the offices they may serve ("home_not_served"); a user has
    one profile at most and the weekly limit stays sane (the model's own checks).
    """
    offices = list(offices)
    _check_home_office(home_office, offices)
    profile = CounselorProfile(
        user=user,
        organisation=organisation,
        role=role,
        home_office=home_office,
        max_half_days_per_week=max_half_days_per_week,
        max_half_days_per_month=max_half_days_per_month,
        in_rotation=in_rotation,
    )
    profile.full_clean()
    profile.save()
    profile.offices.set(offices)
    audit.record(
        actor=created_by,
        action="duty.profile.create",
        obj=profile,
        request=request,
        details={"offices": sorted(office.code for office in offices), "role": role},
    )
    return profile


@transaction.atomic
def update_profile(
    *,
    profile: CounselorProfile,
    organisation: Organisation,
    role: str,
    offices: Iterable[RegistryOffice],
    changed_by: User,
    home_office: RegistryOffice | None = None,
    max_half_days_per_week: int = 4,
    max_half_days_per_month: int = 14,
    in_rotation: bool = True,
    request: HttpRequest | None = None,
) -> CounselorProfile:
    """Change a profile's organisation, role, offices, limits or place in the rotation; the
    next plan or repair uses them. The same rules as `create_profile`; the audit event names
    the fields that changed."""
    offices = list(offices)
    _check_home_office(home_office, offices)
    profile = CounselorProfile.objects.select_for_update().get(pk=profile.pk)
    fields = {
        "organisation": organisation,
        "role": role,
        "home_office": home_office,
        "max_half_days_per_week": max_half_days_per_week,
        "max_half_days_per_month": max_half_days_per_month,
        "in_rotation": in_rotation,
    }
    changed = sorted(name for name, value in fields.items() if getattr(profile, name) != value)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    if {office.pk for office in offices} != set(profile.offices.values_list("pk", flat=True)):
        changed.append("offices")
        profile.offices.set(offices)
    audit.record(
        actor=changed_by,
        action="duty.profile.update",
        obj=profile,
        request=request,
        details={"changed": changed},
    )
    return profile


@transaction.atomic
def add_qualification(
    *,
    counselor: CounselorProfile,
    kind: str,
    name: str,
    certificate_number: str,
    added_by: User,
    expires_on: date | None = None,
    request: HttpRequest | None = None,
) -> Qualification:
    """Record a certificate. A valid psychological-counsellor certificate makes someone a
    qualified counsellor until it expires (docs/rotation.md); the audit keeps its kind only."""
    qualification = Qualification(
        counselor=counselor,
        kind=kind,
        name=name,
        certificate_number=certificate_number,
        expires_on=expires_on,
    )
    qualification.full_clean()
    qualification.save()
    audit.record(
        actor=added_by,
        action="duty.qualification.add",
        obj=qualification,
        request=request,
        details={"kind": kind, "counselor": counselor.pk},
    )
    return qualification


@transaction.atomic
def remove_qualification(
    *, qualification: Qualification, removed_by: User, request: HttpRequest | None = None
) -> None:
    """Remove a certificate entered by mistake or no longer held; the audit event keeps that
    it existed."""
    audit.record(
        actor=removed_by,
        action="duty.qualification.remove",
        obj=qualification,
        request=request,
        details={"kind": qualification.kind, "counselor": qualification.counselor_id},
    )
    qualification.delete()
