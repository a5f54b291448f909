"""Safety: the domestic-violence screen of one party, and what a positive screen stops (joint
sessions, contact that could reveal the service). May import models, audit, sealing, consent."""

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, sealing
from ..models import (
    CancelReason,
    Case,
    CounselingSession,
    FollowUp,
    Party,
    Purpose,
    SafetyScreen,
    User,
)
from .consent import require_consent

SCREEN_QUESTIONS = SafetyScreen.QUESTIONS


@transaction.atomic
def screen_party(
    *,
    party: Party,
    answers: dict[str, bool],
    screened_by: User,
    request: HttpRequest | None = None,
) -> SafetyScreen:
    """The domestic-violence screen, with one party alone (DOMAIN.md, 'Safety comes before
    reconciliation'; 反家庭暴力法). Any 'yes' is positive: joint sessions are then blocked
    (booked ones are cancelled) and follow-up calls to the other party stop, since contact could
    reveal the service to them. The answers are sealed, and kept only with sensitive-information
    consent; the result is always kept. Codes: no_counselling_consent, incomplete."""
    party = Party.objects.select_for_update().select_related("case").get(pk=party.pk)
    require_consent(
        party,
        Purpose.COUNSELLING,
        _("Without this party's consent to counselling the screen cannot be recorded."),
        "no_counselling_consent",
    )
    if any(question not in answers for question in SCREEN_QUESTIONS):
        raise ValidationError(_("Please answer every question of the screen."), code="incomplete")
    positive = any(bool(answers[question]) for question in SCREEN_QUESTIONS)
    screen = SafetyScreen(
        party=party, positive=positive, screened_by=screened_by, screened_at=timezone.now()
    )
    if party.consent_sensitive:
        sealing.seal(screen, answers=json.dumps({q: bool(answers[q]) for q in SCREEN_QUESTIONS}))
    screen.save()
    if positive:
        _protect(party, screened_by)
    audit.record(
        actor=screened_by,
        action="screen.record",
        obj=screen,
        request=request,
        details={"positive": positive},
    )
    return screen


def _protect(party: Party, by: User) -> None:
    """After a positive screen: no joint session, no call to the other party."""
    party.screened_positive = True
    party.save(update_fields=["screened_positive"])
    case = Case.objects.select_for_update().get(pk=party.case_id)
    case.joint_sessions_blocked = True
    case.save(update_fields=["joint_sessions_blocked"])
    CounselingSession.objects.filter(
        case=case, kind=CounselingSession.Kind.JOINT, status=CounselingSession.Status.BOOKED
    ).update(
        status=CounselingSession.Status.CANCELLED,
        cancelled_by=by,
        cancelled_at=timezone.now(),
        cancel_reason=CancelReason.SAFETY_SCREEN,
    )
    FollowUp.objects.filter(case=case, status=FollowUp.Status.DUE).exclude(party=party).update(
        status=FollowUp.Status.CANCELLED
    )
