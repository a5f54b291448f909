"""Publishing a draft roster, what it changes against the published one, and the notices (with
their e-mail copies, sent after commit, by the core's notices service) that tell counsellors.
May import models and mediation.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import audit, formats
from mediation.models import NoticeKind, RegistryOffice, User
from mediation.services.notices import notify

from ..models import CounselorProfile, Duty, Roster, SwapRequest


@dataclass(frozen=True)
class DutyChange:
    counselor: CounselorProfile
    office: RegistryOffice
    day: date
    half_day: str
    added: bool


def roster_changes(draft: Roster, published: Roster | None) -> list[DutyChange]:
    """What publishing the draft changes against the published roster, duty by duty (nothing
    when there is no published roster: the first publication sets every duty)."""
    if published is None:
        return []

    def keyed(roster: Roster) -> dict[tuple[int, int, date, str], Duty]:
        return {
            (d.counselor_id, d.office_id, d.day, d.half_day): d
            for d in roster.duties.select_related("counselor__user", "office")
        }

    new, old = keyed(draft), keyed(published)
    changes = [
        DutyChange(d.counselor, d.office, d.day, d.half_day, False)
        for key, d in old.items()
        if key not in new
    ] + [
        DutyChange(d.counselor, d.office, d.day, d.half_day, True)
        for key, d in new.items()
        if key not in old
    ]
    return sorted(changes, key=lambda c: (c.day, c.half_day, c.office.code, c.added))


def _retire(previous: Roster) -> None:
    """The roster published before is kept as replaced; its open swap requests are withdrawn."""
    SwapRequest.objects.filter(duty__roster=previous, status__in=SwapRequest.OPEN).update(
        status=SwapRequest.Status.WITHDRAWN, decided_at=timezone.now()
    )
    previous.status = Roster.Status.RETIRED
    previous.save(update_fields=["status"])


@transaction.atomic
def publish_roster(
    *, roster: Roster, published_by: User | None, request: HttpRequest | None = None
) -> Roster:
    """Publish a finished draft: it replaces the month's published roster, and every counsellor
    whose duty it sets or changes gets a notice (and an email when they have an address).

    Only a draft ("not_draft") the planner finished with a roster ("not_finished") is published;
    published rosters are stored, never re-derived (docs/rotation.md, 'Publish').
    """
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    if roster.status != Roster.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."), code="not_draft")
    if not roster.usable:
        raise ValidationError(_("This draft has no roster to publish yet."), code="not_finished")
    previous = Roster.objects.published().for_month(roster.city, roster.month).first()
    changes = roster_changes(roster, previous)
    if previous is not None:
        _retire(previous)
    roster.status = Roster.Status.PUBLISHED
    roster.published_at = timezone.now()
    roster.published_by = published_by
    roster.save(update_fields=["status", "published_at", "published_by"])
    if previous is None:
        touched = set(roster.duties.values_list("counselor__user", flat=True))
    else:
        touched = {change.counselor.user_id for change in changes}
    month = formats.month_label(roster.month)
    text = (
        _("The duty roster for %(month)s is published. See your duties.")
        if previous is None
        else _("Your duties for %(month)s have changed. See your duties.")
    ) % {"month": month}
    for user in User.objects.filter(pk__in=touched):
        notify(user=user, text=text, url=reverse("counselors:my-duties"), kind=NoticeKind.ROSTER)
    audit.record(
        actor=published_by,
        action="roster.publish",
        obj=roster,
        request=request,
        details={"month": month, "changes": len(changes), "notified": len(touched)},
    )
    return roster
