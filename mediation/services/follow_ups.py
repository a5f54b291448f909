"""After counselling: follow-up calls 3 and 6 months after a reconciliation, whether a party may
be contacted at all, and the parties' satisfaction. May import models, audit and calendar."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..calendar import add_months
from ..models import Case, FollowUp, Party, Satisfaction, User
from .errors import field_error

FOLLOW_UP_MONTHS = (3, 6)


def may_contact(party: Party) -> bool:
    """Contact (follow-up calls) needs the party's follow-up consent, and is suppressed for a
    party whose spouse screened positive: a call could reveal to them that the other sought help
    (DOMAIN.md, 'Safety comes before reconciliation')."""
    if not party.consent_follow_up:
        return False
    return not party.case.parties.exclude(pk=party.pk).filter(screened_positive=True).exists()


def follow_ups_planned(*, case: Case, reconciled_on: date) -> list[tuple[Party, int, date]]:
    """The calls a reconciliation schedules: 3 and 6 months later (回访, DOMAIN.md 'Outcomes
    and what counts'), for each party who may be contacted."""
    return [
        (party, months, add_months(reconciled_on, months))
        for party in case.parties.all()
        if may_contact(party)
        for months in FOLLOW_UP_MONTHS
    ]


def schedule_follow_ups(*, case: Case, reconciled_on: date) -> None:
    """Schedule follow_ups_planned. A call cancelled when an earlier outcome was voided is due
    again, at the new date; one already made stays as it was."""
    for party, months, due_on in follow_ups_planned(case=case, reconciled_on=reconciled_on):
        follow_up, created = FollowUp.objects.get_or_create(
            case=case, party=party, months=months, defaults={"due_on": due_on}
        )
        if not created and follow_up.status == FollowUp.Status.CANCELLED:
            follow_up.status, follow_up.due_on = FollowUp.Status.DUE, due_on
            follow_up.save(update_fields=["status", "due_on"])


@transaction.atomic
def record_follow_up(
    *,
    follow_up: FollowUp,
    status: str,
    recorded_by: User,
    done_on: date | None = None,
    reconciliation_held: bool | None = None,
    request: HttpRequest | None = None,
) -> FollowUp:
    """Record a follow-up call: reached or not, and whether the reconciliation held. Codes:
    recorded (already), contact_suppressed (may_contact says no), held (say whether it held),
    future (a date to come)."""
    follow_up = (
        FollowUp.objects.select_for_update().select_related("party", "case").get(pk=follow_up.pk)
    )
    if follow_up.status != FollowUp.Status.DUE:
        raise ValidationError(_("This follow-up is already recorded."), code="recorded")
    if not may_contact(follow_up.party):
        raise ValidationError(
            _(
                "This party may not be contacted (no follow-up consent, or contact could reveal "
                "the service to a spouse after a positive safety screen)."
            ),
            code="contact_suppressed",
        )
    if status == FollowUp.Status.DONE and reconciliation_held is None:
        raise field_error("reconciliation_held", _("Say whether the reconciliation held."), "held")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise field_error("done_on", _("The date cannot be in the future."), "future")
    follow_up.status = status
    follow_up.done_on = done_on
    follow_up.reconciliation_held = reconciliation_held if status == FollowUp.Status.DONE else None
    follow_up.recorded_by = recorded_by
    follow_up.save()
    audit.record(
        actor=recorded_by,
        action="follow_up.record",
        obj=follow_up.case,
        request=request,
        details={"status": status, "months": follow_up.months},
    )
    return follow_up


@transaction.atomic
def record_satisfaction(
    *,
    case: Case,
    rating: str,
    recorded_by: User,
    party: Party | None = None,
    anonymous: bool = False,
    recorded_on: date | None = None,
    request: HttpRequest | None = None,
) -> Satisfaction:
    """MZ/T 084 satisfaction (满意 / 基本满意 / 不满意), one answer per party; anonymous answers
    keep no link to the party. Codes: party_not_in_case, party, complete, answered."""
    if party is not None and party.case_id != case.pk:
        raise field_error(
            "party", _("This person is not a party to this case."), "party_not_in_case"
        )
    if not anonymous and party is None:
        raise field_error("party", _("Choose the party, or mark the answer anonymous."), "party")
    if case.satisfaction.count() >= case.parties.count():
        raise ValidationError(_("Every party of this case has already answered."), code="complete")
    if party is not None and not anonymous and case.satisfaction.filter(party=party).exists():
        raise field_error("party", _("This party has already answered."), "answered")
    answer = Satisfaction(
        case=case,
        party=None if anonymous else party,
        rating=rating,
        anonymous=anonymous,
        recorded_on=recorded_on or timezone.localdate(),
        recorded_by=recorded_by,
    )
    answer.full_clean(exclude=["case", "party", "recorded_by"])
    answer.save()
    audit.record(actor=recorded_by, action="satisfaction.record", obj=case, request=request)
    return answer
