"""The walk-in queue (DOMAIN.md, 'Registry practice'): a couple usually meets the counsellor on
the day they apply, so the counsellor on duty sees today's and yesterday's applications and
records the offer of counselling and its answer, which the statistics count as uptake.
May import models, audit and the cases and consent services.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import (
    Case,
    CaseAssignment,
    ConsentRecord,
    Purpose,
    RegistryApplication,
    RegistryOffice,
    User,
    WalkInAnswer,
)
from .cases import assign_counselor


def walk_in_queue(
    office: RegistryOffice, *, today: date | None = None
) -> QuerySet[RegistryApplication]:
    """Today's and yesterday's applications received at the office, newest first: the queue
    the counsellor on duty works through."""
    today = today or timezone.localdate()
    return (
        RegistryApplication.objects.filter(
            office=office, received_on__gte=today - timedelta(days=1), received_on__lte=today
        )
        .select_related("case", "walk_in_by")
        .order_by("-received_on", "-created_at")
    )


@transaction.atomic
def record_walk_in(
    *,
    application: RegistryApplication,
    answer: str,
    recorded_by: User,
    request: HttpRequest | None = None,
) -> RegistryApplication:
    """Record that counselling was offered (已提供) and the couple's answer: accepted (已接受)
    or declined (未接受). Any of them marks the case's application as offered, which is what the
    statistics' uptake figures count; uptake itself is the consent the counsellor records next.
    A counsellor recording an acceptance is assigned to the case so they can take it on.
    Codes: answer (unknown), offer_first (an answer cannot go back to a bare offer),
    consented (a party has already consented: the answer stands)."""
    application = (
        RegistryApplication.objects.select_for_update()
        .select_related("case", "office")
        .get(pk=application.pk)
    )
    if answer not in WalkInAnswer.values:
        raise ValidationError(_("Choose an answer."), code="answer")
    if answer == WalkInAnswer.OFFERED and application.walk_in in (
        WalkInAnswer.ACCEPTED,
        WalkInAnswer.DECLINED,
    ):
        raise ValidationError(_("The couple has already answered the offer."), code="offer_first")
    consented = ConsentRecord.objects.filter(
        party__case=application.case_id,
        purpose=Purpose.COUNSELLING,
        action=ConsentRecord.Action.GIVEN,
    ).exists()
    if consented and answer != WalkInAnswer.ACCEPTED:
        raise ValidationError(_("A party has already consented to counselling."), code="consented")
    application.walk_in = answer
    application.walk_in_at = timezone.now()
    application.walk_in_by = recorded_by
    application.save(update_fields=["walk_in", "walk_in_at", "walk_in_by"])
    case = Case.objects.select_for_update().get(pk=application.case_id)
    if not case.counselling_offered:
        case.counselling_offered = True
        case.save(update_fields=["counselling_offered"])
    if (
        answer == WalkInAnswer.ACCEPTED
        and User.objects.counselors_of(case.office).filter(pk=recorded_by.pk).exists()
        and not CaseAssignment.objects.filter(
            case=case, counselor=recorded_by, ended_at__isnull=True
        ).exists()
    ):
        assign_counselor(case=case, counselor=recorded_by, assigned_by=recorded_by, request=request)
    audit.record(
        actor=recorded_by,
        action="walk_in.record",
        obj=application,
        request=request,
        details={"answer": answer},
    )
    return application
