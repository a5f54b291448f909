"""Publishing a roster (counselors.services.publishing): who is told, what a repair changes, what
happens to the roster it replaces, and e-mail that leaves only once the publication commits."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from counselors.models import Roster, SwapRequest
from counselors.services import planning, publishing, solving
from mediation.models import AuditEvent, Notice
from mediation.services import notices
from tests.counselors.conftest import OCTOBER, plan, repair
from tests.helpers import error_codes


@pytest.fixture
def draft(team, civil_affairs) -> Roster:
    """October planned and not yet published; the first counsellor has an e-mail address."""
    team[0].user.email = "li@example.cn"
    team[0].user.save()
    return plan(OCTOBER, civil_affairs)


def test_publishing_notifies_every_counsellor_on_duty_by_notice_and_email(
    draft, civil_affairs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish_roster(roster=draft, published_by=civil_affairs)

    on_duty = set(draft.duties.values_list("counselor__user", flat=True))
    assert set(Notice.objects.values_list("recipient", flat=True)) == on_duty
    assert [message.to for message in mail.outbox] == [["li@example.cn"]]
    assert AuditEvent.objects.filter(action="roster.publish", actor=civil_affairs).exists()


def test_the_email_leaves_only_once_the_publication_commits(
    draft, civil_affairs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish_roster(roster=draft, published_by=civil_affairs)
        assert mail.outbox == []  # published, notices written, not yet committed

    assert len(mail.outbox) == 1


def test_no_email_leaves_when_the_publication_rolls_back(
    draft, civil_affairs, django_capture_on_commit_callbacks
):
    def publish_then_fail() -> None:
        with transaction.atomic():
            publishing.publish_roster(roster=draft, published_by=civil_affairs)
            raise RuntimeError("something after the publication fails")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        publish_then_fail()

    assert callbacks == []
    assert mail.outbox == []
    assert not Notice.objects.exists()
    draft.refresh_from_db()
    assert draft.status == Roster.Status.DRAFT


def test_only_a_finished_draft_can_be_published(team, civil_affairs):
    queued = planning.start_planning(
        city="盘锦市", month=OCTOBER, requested_by=civil_affairs, enqueue=False
    )

    with pytest.raises(ValidationError) as unfinished:
        publishing.publish_roster(roster=queued, published_by=civil_affairs)
    solving.run_planning(roster=queued)
    publishing.publish_roster(roster=queued, published_by=civil_affairs)
    with pytest.raises(ValidationError) as again:
        publishing.publish_roster(roster=queued, published_by=civil_affairs)

    assert error_codes(unfinished.value) == {"not_finished"}
    assert error_codes(again.value) == {"not_draft"}


def test_publishing_a_repair_notifies_only_those_it_touches(published, team, civil_affairs):
    Notice.objects.all().delete()
    draft = repair(published, team[2], civil_affairs)
    touched = {c.counselor.user_id for c in publishing.roster_changes(draft, published)}

    publishing.publish_roster(roster=draft, published_by=civil_affairs)

    published.refresh_from_db()
    assert published.status == Roster.Status.RETIRED
    assert set(Notice.objects.values_list("recipient", flat=True)) == touched
    assert 0 < len(touched) < len(team)


def test_open_swap_requests_on_the_replaced_roster_are_withdrawn(published, team, civil_affairs):
    duty = published.duties.filter(counselor=team[2]).first()
    swap = SwapRequest.objects.create(duty=duty, requested_by=team[2], colleague=team[3])
    draft = repair(published, team[2], civil_affairs)

    publishing.publish_roster(roster=draft, published_by=civil_affairs)

    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.WITHDRAWN


def test_a_first_publication_lists_no_changes(draft):
    assert publishing.roster_changes(draft, None) == []


def test_reading_the_notices_marks_them_all_read(draft, team, civil_affairs):
    publishing.publish_roster(roster=draft, published_by=civil_affairs)
    user = team[0].user

    assert notices.mark_notices_read(user=user) == 1
    assert notices.mark_notices_read(user=user) == 0
    assert not Notice.objects.filter(recipient=user, read_at=None).exists()
