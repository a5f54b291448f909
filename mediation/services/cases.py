"""Cases: opening one for a couple with its parties and deadlines, editing it, and assigning or
removing its counsellors. May import models, audit, notices and official_calendar (for the
deadlines)."""

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import (
    Case,
    CaseAssignment,
    CaseNumberCounter,
    NoticeKind,
    Party,
    Port,
    RegistryOffice,
    User,
)
from .errors import field_error
from .notices import notify
from .official_calendar import apply_deadlines

# The divorce cooling-off period applies to applications from this day (Civil Code art. 1077).
CIVIL_CODE_IN_FORCE = date(2021, 1, 1)


def _next_sequence(office: RegistryOffice, year: int) -> int:
    """Take the next number under a row lock: two counsellors opening cases at the same moment
    still get different numbers (the unique constraint is the last line of defence)."""
    for _attempt in range(5):
        updated = CaseNumberCounter.objects.filter(office=office, year=year).update(
            last=F("last") + 1
        )
        if updated:
            return CaseNumberCounter.objects.get(office=office, year=year).last
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(office=office, year=year, last=1)
            return 1
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a case number")


def _validate_case_dates(*, port: str, received_on: date | None, today: date) -> None:
    """A divorce case needs its receipt date, which is neither in the future nor before the
    cooling-off law took effect (codes received_on_required, received_in_future,
    received_before_law)."""
    if port == Port.DIVORCE and received_on is None:
        raise field_error(
            "received_on",
            _("A divorce case needs the date the registry received the application."),
            "received_on_required",
        )
    if received_on is not None and received_on > today:
        raise field_error(
            "received_on",
            _("The application cannot have been received in the future."),
            "received_in_future",
        )
    if received_on is not None and received_on < CIVIL_CODE_IN_FORCE:
        raise field_error(
            "received_on",
            _("The divorce cooling-off period applies to applications from 1 January 2021."),
            "received_before_law",
        )


@transaction.atomic
def open_case(
    *,
    office: RegistryOffice,
    port: str,
    category: str,
    opened_by: User,
    received_on: date | None = None,
    counselors: Iterable[User] = (),
    counselling_offered: bool = True,
    party_count: int = 2,
    opened_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case for one couple at one office (DOMAIN.md: one case per couple), with its
    parties (nothing about them yet but their place: details need their consent) and, for a
    divorce application, its deadlines from the legal clock. Only a divorce case keeps a receipt
    date. A counsellor who opens a case is assigned to it unless others are named."""
    opened_at = opened_at or timezone.now()
    if port != Port.DIVORCE:
        received_on = None
    _validate_case_dates(port=port, received_on=received_on, today=timezone.localdate(opened_at))
    if not 1 <= party_count <= 2:
        raise ValidationError(_("A case has one or two parties."), code="party_count")
    year = timezone.localdate(opened_at).year
    sequence = _next_sequence(office, year)
    case = Case(
        office=office,
        year=year,
        sequence=sequence,
        number=f"{office.code}-{year}-{sequence:04d}",
        port=port,
        category=category,
        received_on=received_on,
        counselling_offered=counselling_offered,
        opened_by=opened_by,
        opened_at=opened_at,
    )
    apply_deadlines(case)
    case.full_clean(exclude=["opened_by", "number"])
    case.save()
    for position in range(1, party_count + 1):
        Party.objects.create(case=case, position=position)
    counselors = list(counselors)
    if not counselors and opened_by.has_perm("mediation.work_cases"):
        counselors = [opened_by]
    for counselor in counselors:
        _assign(case=case, counselor=counselor, assigned_by=opened_by, at=opened_at)
    audit.record(
        actor=opened_by,
        action="case.open",
        obj=case,
        request=request,
        details={"port": port, "category": category},
    )
    return case


@transaction.atomic
def update_case(
    *,
    case: Case,
    updated_by: User,
    category: str,
    received_on: date | None,
    request: HttpRequest | None = None,
) -> Case:
    """Correct an open case's category and, for a divorce case, its receipt date; the deadlines
    follow the new date. A closed case is refused (code "closed")."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise ValidationError(_("This case is closed."), code="closed")
    _validate_case_dates(port=case.port, received_on=received_on, today=timezone.localdate())
    case.category = category
    if case.port == Port.DIVORCE:
        case.received_on = received_on
        apply_deadlines(case)
    case.save()
    audit.record(actor=updated_by, action="case.update", obj=case, request=request)
    return case


def _assign(*, case: Case, counselor: User, assigned_by: User, at: datetime) -> CaseAssignment:
    if not User.objects.counselors_of(case.office).filter(pk=counselor.pk).exists():
        raise field_error(
            "counselor",
            _("%(name)s is not a counsellor of this office.") % {"name": counselor.display_name},
            "not_a_counselor_here",
        )
    if CaseAssignment.objects.filter(
        case=case, counselor=counselor, ended_at__isnull=True
    ).exists():
        raise field_error(
            "counselor",
            _("%(name)s is already assigned to this case.") % {"name": counselor.display_name},
            "already_assigned",
        )
    assignment = CaseAssignment.objects.create(
        case=case, counselor=counselor, assigned_by=assigned_by, assigned_at=at
    )
    if counselor.pk != assigned_by.pk:
        notify(
            user=counselor,
            text=_("You are assigned to case %(number)s.") % {"number": case.number},
            url=reverse("mediation:case-detail", args=[case.uuid]),
            kind=NoticeKind.ASSIGNMENT,
        )
    return assignment


@transaction.atomic
def assign_counselor(
    *, case: Case, counselor: User, assigned_by: User, request: HttpRequest | None = None
) -> CaseAssignment:
    """A supervisor assigns an active counsellor of the case's office (codes
    not_a_counselor_here, already_assigned); access follows on the next request."""
    assignment = _assign(case=case, counselor=counselor, assigned_by=assigned_by, at=timezone.now())
    audit.record(
        actor=assigned_by,
        action="case.assign",
        obj=case,
        request=request,
        details={"counselor": counselor.username},
    )
    return assignment


@transaction.atomic
def unassign_counselor(
    *, case: Case, counselor: User, unassigned_by: User, request: HttpRequest | None = None
) -> None:
    """End an assignment: the counsellor loses the case (and its notes) on the next request
    (SECURITY.md, 'Access'). Code "not_assigned" if there was none."""
    updated = CaseAssignment.objects.filter(
        case=case, counselor=counselor, ended_at__isnull=True
    ).update(ended_at=timezone.now())
    if not updated:
        raise ValidationError(
            _("This counsellor is not assigned to the case."), code="not_assigned"
        )
    audit.record(
        actor=unassigned_by,
        action="case.unassign",
        obj=case,
        request=request,
        details={"counselor": counselor.username},
    )


@transaction.atomic
def reassign_cases(
    *,
    office: RegistryOffice,
    from_counselor: User,
    to_counselor: User,
    reassigned_by: User,
    reason: str,
    cases: Iterable[Case] | None = None,
    request: HttpRequest | None = None,
) -> list[Case]:
    """Move a counsellor's cases at one office to a colleague, as when they leave: each of
    their active assignments there (to `cases` only, when given) ends, and the colleague is
    assigned where they were not already. Access moves at once: the first counsellor gets 404
    on their next request (SECURITY.md, 'Access'). Open and closed cases alike, since closed
    ones still have follow-up calls to make. One event per case (`case.reassign`, with the
    reason), so each case's history names who took it over. Codes: same_counselor,
    not_a_counselor_here (the colleague), reason (none given), nothing_to_move."""
    if from_counselor.pk == to_counselor.pk:
        raise field_error(
            "to_counselor", _("Choose another counsellor to take the cases."), "same_counselor"
        )
    if not reason.strip():
        raise field_error("reason", _("Say why the cases move."), "reason")
    if not User.objects.counselors_of(office).filter(pk=to_counselor.pk).exists():
        raise field_error(
            "to_counselor",
            _("%(name)s is not a counsellor of this office.") % {"name": to_counselor.display_name},
            "not_a_counselor_here",
        )
    assignments = CaseAssignment.objects.select_for_update().filter(
        counselor=from_counselor, ended_at__isnull=True, case__office=office
    )
    if cases is not None:
        assignments = assignments.filter(case__in=[case.pk for case in cases])
    moving = list(assignments.select_related("case").order_by("case__number"))
    if not moving:
        raise ValidationError(_("There is no case to move."), code="nothing_to_move")
    now = timezone.now()
    CaseAssignment.objects.filter(pk__in=[a.pk for a in moving]).update(ended_at=now)
    already = set(
        CaseAssignment.objects.filter(
            counselor=to_counselor, ended_at__isnull=True, case__in=[a.case_id for a in moving]
        ).values_list("case_id", flat=True)
    )
    CaseAssignment.objects.bulk_create(
        CaseAssignment(
            case=a.case, counselor=to_counselor, assigned_by=reassigned_by, assigned_at=now
        )
        for a in moving
        if a.case_id not in already
    )
    for assignment in moving:
        audit.record(
            actor=reassigned_by,
            action="case.reassign",
            obj=assignment.case,
            request=request,
            details={
                "from": from_counselor.username,
                "to": to_counselor.username,
                "reason": reason.strip()[:200],
            },
        )
    return [assignment.case for assignment in moving]
