"""Starting a plan or a repair of a city's month: the checks, the draft roster, its audit event and
the planning task, queued once the transaction commits. May import solving, tasks and mediation.
"""

from datetime import date
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from mediation import audit
from mediation.calendar import month_days, month_start
from mediation.models import User

from ..models import Roster
from ..tasks import plan_roster
from .solving import calendar_for, city_offices


def _check_repair(*, month: date, repair_from: date, published: Roster | None) -> None:
    if published is None:
        raise ValidationError(
            _("There is no published roster for this month to repair."), code="no_published"
        )
    if not month <= repair_from <= month_days(month)[-1]:
        raise ValidationError(
            _("The repair must start inside the month."), code="repair_outside_month"
        )


def _office_codes(city: str, office_codes: list[str] | None) -> list[str]:
    """The codes to plan (every office of the city when none are given); unknown codes refused."""
    known = {office.code for office in city_offices(city)}
    if not known:
        raise ValidationError(_("This city has no registry office."), code="unknown_city")
    unknown = sorted(set(office_codes or ()) - known)
    if unknown:
        raise ValidationError(
            _("Unknown office codes: %(codes)s") % {"codes": ", ".join(unknown)},
            code="unknown_office",
        )
    return sorted(office_codes or known)


def _queue(roster_id: int) -> None:
    """Hand a committed draft to the task worker and remember the task on the roster."""
    result = plan_roster.enqueue(roster_id)
    Roster.objects.filter(pk=roster_id).update(task_id=str(result.id))


@transaction.atomic
def start_planning(
    *,
    city: str,
    month: date,
    requested_by: User | None,
    office_codes: list[str] | None = None,
    repair_from: date | None = None,
    enqueue: bool = True,
    request: HttpRequest | None = None,
) -> Roster:
    """Create a draft roster for a city's month and hand it to the task worker.

    A month whose year the official calendar does not know is refused ("calendar_missing",
    DOMAIN.md: never guess a year). A repair starts from the published roster and may change
    duties from `repair_from` on, a day inside the month; without a published roster there is
    nothing to repair ("no_published"). A new draft replaces an older one; two started at the
    same moment leave one ("busy"). Planning never runs inside a web request (the solver may
    take seconds): the task is queued after commit, so a rolled-back draft is never planned.
    With `enqueue=False` the caller runs `solving.run_planning` itself (commands, demo).
    """
    month = month_start(month)
    calendar_for(month)
    published = Roster.objects.published().for_month(city, month).first()
    if repair_from is not None:
        _check_repair(month=month, repair_from=repair_from, published=published)
    codes = _office_codes(city, office_codes)
    Roster.objects.for_month(city, month).filter(status=Roster.Status.DRAFT).delete()
    try:
        with transaction.atomic():
            roster = Roster.objects.create(
                city=city,
                month=month,
                kind=Roster.Kind.REPAIR if repair_from else Roster.Kind.PLAN,
                based_on=published,
                repair_from=repair_from,
                office_codes=codes,
                requested_by=requested_by,
            )
    except IntegrityError:
        # Someone else started a plan for this month at the same moment (one draft a month).
        raise ValidationError(
            _("Another plan for this month was started just now; wait for it."), code="busy"
        ) from None
    audit.record(
        actor=requested_by,
        action="roster.plan",
        obj=roster,
        request=request,
        details={"month": f"{month:%Y-%m}", "kind": roster.kind},
    )
    if enqueue:
        transaction.on_commit(partial(_queue, roster.pk))
    return roster
