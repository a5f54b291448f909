"""Reminders for staff about overdue work, raised by the daily sweep: follow-up calls past their
day, notes of held sessions left unsigned, registry events waiting for the supervisor. Each item
raises one notice per person, however often the sweep runs. May import models and notices."""

from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..formats import long_date
from ..models import (
    CaseAssignment,
    FollowUp,
    NoticeKind,
    RegistryEvent,
    SessionNote,
    User,
)
from .notices import notify

UNSIGNED_AFTER = timedelta(days=2)
REVIEW_AFTER = timedelta(days=3)


def _overdue_follow_ups(today: date) -> int:
    raised = 0
    due = FollowUp.objects.filter(status=FollowUp.Status.DUE, due_on__lt=today).select_related(
        "case"
    )
    for follow_up in due:
        counselors = User.objects.filter(
            case_assignments__case=follow_up.case_id,
            case_assignments__ended_at__isnull=True,
            is_active=True,
        )
        for counselor in counselors:
            raised += bool(
                notify(
                    user=counselor,
                    text=_("The follow-up call of case %(number)s was due on %(day)s.")
                    % {"number": follow_up.case.number, "day": long_date(follow_up.due_on)},
                    url=reverse("mediation:case-detail", args=[follow_up.case.uuid]),
                    kind=NoticeKind.OVERDUE,
                    key=f"overdue-follow-up:{follow_up.pk}",
                )
            )
    return raised


def _unsigned_notes(now: datetime) -> int:
    raised = 0
    notes = SessionNote.objects.filter(
        status=SessionNote.Status.DRAFT,
        session__starts_at__lt=now - UNSIGNED_AFTER,
        author__is_active=True,
    ).select_related("session__case", "author")
    for note in notes:
        case = note.session.case
        if not CaseAssignment.objects.filter(
            case=case, counselor=note.author, ended_at__isnull=True
        ).exists():
            continue
        raised += bool(
            notify(
                user=note.author,
                text=_("Your note of the session of %(day)s in case %(number)s is not signed.")
                % {
                    "day": long_date(timezone.localdate(note.session.starts_at)),
                    "number": case.number,
                },
                url=reverse("mediation:session-detail", args=[case.uuid, note.session.uuid]),
                kind=NoticeKind.OVERDUE,
                key=f"unsigned-note:{note.uuid}",
            )
        )
    return raised


def _waiting_reviews(now: datetime) -> int:
    raised = 0
    events = RegistryEvent.objects.filter(
        status=RegistryEvent.Status.REVIEW, created_at__lt=now - REVIEW_AFTER
    ).select_related("application", "office")
    for event in events:
        supervisors = User.objects.filter(
            is_active=True,
            memberships__office=event.office,
            groups__permissions__codename="supervise_office",
        ).distinct()
        for supervisor in supervisors:
            raised += bool(
                notify(
                    user=supervisor,
                    text=_(
                        "A registry event of application %(number)s has waited %(days)s days "
                        "for your review."
                    )
                    % {"number": event.application.number, "days": (now - event.created_at).days},
                    url=reverse("mediation:registry-review"),
                    kind=NoticeKind.OVERDUE,
                    key=f"review-overdue:{event.uuid}",
                )
            )
    return raised


def raise_overdue_notices(*, today: date | None = None) -> int:
    """Notify the people who own overdue items; returns how many new notices were raised."""
    today = today or timezone.localdate()
    now = timezone.make_aware(datetime.combine(today, time(8)))
    return _overdue_follow_ups(today) + _unsigned_notes(now) + _waiting_reviews(now)
