"""Reminders for staff: the bell with its count, a notice for a new assignment, overdue items
raised once by the sweep, every notice copied by e-mail only after commit."""

from datetime import date

from django.core import mail
from django.db import transaction
from django.urls import reverse

from mediation import services
from mediation.models import Notice, OutcomeKind
from mediation.roles import Role
from mediation.services import staff_reminders
from tests.factories import make_user, open_divorce_case


def test_the_bell_counts_unread_notices_and_the_page_reads_them(client, counselor):
    services.notices.notify(user=counselor, text="测试通知一")
    services.notices.notify(user=counselor, text="测试通知二")
    client.force_login(counselor)

    page = client.get(reverse("mediation:today"))
    assert (
        '<span class="badge rounded-pill text-bg-warning" data-testid="bell-count">2</span>'
        in page.text
    )

    client.post(reverse("mediation:notices-read"))
    page = client.get(reverse("mediation:notices"))
    assert "测试通知一" in page.text
    assert 'data-testid="bell-count"' not in page.text


def test_a_counsellor_assigned_by_the_supervisor_is_notified(xlt, counselor, supervisor):
    colleague = make_user(Role.COUNSELOR, xlt, username="c_xlt2", email="c2@example.cn")
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 2))

    with transaction.atomic():
        services.assign_counselor(case=case, counselor=colleague, assigned_by=supervisor)
        assert mail.outbox == []  # not before the assignment is committed

    notice = Notice.objects.get(recipient=colleague)
    assert (notice.kind, notice.text) == ("assignment", f"您已被分派到个案{case.number}。")


def test_overdue_follow_ups_are_raised_once_however_often_the_sweep_runs(xlt, counselor):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 6, 1))
    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 6, 20), recorded_by=counselor
    )

    first = staff_reminders.raise_overdue_notices(today=date(2026, 11, 30))
    again = staff_reminders.raise_overdue_notices(today=date(2026, 11, 30))

    assert (first, again) == (2, 0)  # the two parties' 3-month calls were due on 20 September
    assert Notice.objects.filter(recipient=counselor, kind="overdue").count() == 2
