"""The list pages ask the database a fixed number of questions, whatever the number of rows
(STYLE.md: list pages use select_related/prefetch_related, and a test pins their query count).

Each page is counted with 2 rows and again with 10: an N+1 query shows as a difference. The
numbers are exact, so a change to a page's queries is a decision someone makes on purpose.
Routes are reached by their names only.
"""

from datetime import date, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from counselors.models import (
    CounselorProfile,
    Duty,
    Organisation,
    Qualification,
    Roster,
    SwapRequest,
)
from mediation.models import Notice
from mediation.roles import Role
from tests.factories import held_session_with_note, make_user, open_divorce_case

TODAY = timezone.make_aware(datetime(2026, 10, 20, 10))
OCTOBER = date(2026, 10, 1)

# Queries per page, the same with 2 rows as with 10 (one of them finds the second-factor device,
# one counts the bell's unread notices). The case lists prefetch the outcome in force (a voided
# one stays beside it), the office list also lists outcomes to re-check and names its offices by
# value; the case page adds its timeline (one query per kind of record), its attachments and the
# registry's application.
EXPECTED = {
    # Case lists: the rows' masked names (+3, one audited read), the outcome in force (+1) and
    # the bell's unread count (+1).
    "case_list": 17,
    # As the case list, the outcomes recorded on provisional deadlines to re-check (+1) and its
    # offices read by value (+1).
    "office_cases": 20,
    # The case page with its timeline (one query per kind of record), its attachments, its
    # registry application, the bell and the legal hold in force.
    "case_detail": 40,
    "profile_list": 13,
    "swap_list": 11,
    "my_duties": 17,
    # 26: the dashboard also reads the viewer's roles (fulian sees its figures first).
    "dashboard": 26,
}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def queries(client, url: str) -> tuple[int, str]:
    """The queries of one GET and the page, after a first GET has filled the caches that live
    longer than a request (content types, translations): the order of tests does not matter."""
    assert client.get(url).status_code == HTTPStatus.OK
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return len(captured), response.text


def counts(client, url: str, add_rows) -> tuple[int, int]:
    """(queries with 2 rows, queries with 10 rows). `add_rows(n)` adds n rows and returns what
    the page shows of each, so that the rows are seen to be on the page."""
    shown = add_rows(2)
    with_two, page = queries(client, url)
    assert all(text in page for text in shown), shown
    shown += add_rows(8)
    with_ten, page = queries(client, url)
    assert all(text in page for text in shown), shown
    return with_two, with_ten


# --- Case work ------------------------------------------------------------------------------


def open_cases(office, counselor, first_day: int):
    def add(n: int) -> list[str]:
        cases = [
            open_divorce_case(office, counselor, received_on=date(2026, 9, first_day))
            for _ in range(n)
        ]
        return [reverse("mediation:case-detail", args=[case.uuid]) for case in cases]

    return add


def test_my_cases(client, counselor, xlt):
    client.force_login(counselor)

    got = counts(client, reverse("mediation:case-list"), open_cases(xlt, counselor, 1))

    assert got == (EXPECTED["case_list"],) * 2


def test_office_cases(client, counselor, supervisor, xlt):
    client.force_login(supervisor)

    got = counts(client, reverse("mediation:office-cases"), open_cases(xlt, counselor, 1))

    assert got == (EXPECTED["office_cases"],) * 2


def test_case_detail(client, counselor, xlt):
    """Rows: held sessions with their notes."""
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    client.force_login(counselor)
    held = []

    def add_sessions(n: int) -> list[str]:
        for _ in range(n):
            when = timezone.make_aware(datetime(2026, 9, 2, 9)) + timedelta(days=len(held))
            held.append(held_session_with_note(case, counselor, when=when))
        return [
            reverse("mediation:session-detail", args=[case.uuid, session.uuid])
            for session, _note in held[-n:]
        ]

    got = counts(client, reverse("mediation:case-detail", args=[case.uuid]), add_sessions)

    assert got == (EXPECTED["case_detail"],) * 2


# --- Duty -----------------------------------------------------------------------------------


def profile(user, *offices) -> CounselorProfile:
    made = CounselorProfile.objects.create(
        user=user,
        organisation=Organisation.objects.get(short_name="心理研究会"),
        role=CounselorProfile.Role.PSYCHOLOGICAL,
        home_office=offices[0],
    )
    made.offices.set(offices)
    Qualification.objects.create(
        counselor=made,
        kind=Qualification.Kind.PSYCHOLOGICAL,
        name="国家二级心理咨询师",
        certificate_number=f"T-{user.pk}",
    )
    return made


def new_counselor(office, number: int) -> CounselorProfile:
    user = make_user(Role.COUNSELOR, office, username=f"qc{number}", full_name=f"咨询{number}")
    return profile(user, office)


def october_roster() -> Roster:
    roster, _ = Roster.objects.get_or_create(
        city="盘锦市", month=OCTOBER, status="published", defaults={"solver_status": "optimal"}
    )
    return roster


def test_counsellor_profiles(client, civil_affairs, xlt):
    client.force_login(civil_affairs)
    made = []

    def add_profiles(n: int) -> list[str]:
        for _ in range(n):
            made.append(new_counselor(xlt, len(made)))
        return [each.user.full_name for each in made[-n:]]

    got = counts(client, reverse("counselors:profile-list"), add_profiles)

    assert got == (EXPECTED["profile_list"],) * 2


def test_swap_requests(client, civil_affairs, xlt):
    roster = october_roster()
    colleague = new_counselor(xlt, 100)
    client.force_login(civil_affairs)
    made = []

    def add_swaps(n: int) -> list[str]:
        for _ in range(n):
            asking = new_counselor(xlt, len(made))
            day = OCTOBER + timedelta(days=len(made))
            duty = Duty.objects.create(
                roster=roster, counselor=asking, office=xlt, day=day, half_day="AM"
            )
            exchange = Duty.objects.create(
                roster=roster, counselor=colleague, office=xlt, day=day, half_day="PM"
            )
            made.append(
                SwapRequest.objects.create(
                    duty=duty,
                    requested_by=asking,
                    colleague=colleague,
                    exchange=exchange,
                    status=SwapRequest.Status.ACCEPTED,
                )
            )
        return [swap.requested_by.user.full_name for swap in made[-n:]]

    got = counts(client, reverse("counselors:swap-list"), add_swaps)

    assert got == (EXPECTED["swap_list"],) * 2


def test_my_duties(client, counselor, xlt):
    """Rows: the month's duties, each with an open swap request, and notices."""
    roster = october_roster()
    mine = profile(counselor, xlt)
    colleague = new_counselor(xlt, 200)
    client.force_login(counselor)
    made = []

    def add_duties(n: int) -> list[str]:
        for _ in range(n):
            day = TODAY.date() + timedelta(days=len(made))
            duty = Duty.objects.create(
                roster=roster, counselor=mine, office=xlt, day=day, half_day="AM"
            )
            SwapRequest.objects.create(duty=duty, requested_by=mine, colleague=colleague)
            Notice.objects.create(recipient=counselor, text=f"通知{len(made)}")
            made.append(duty)
        return [f"通知{number}" for number in range(len(made) - n, len(made))]

    got = counts(client, reverse("counselors:my-duties"), add_duties)

    assert got == (EXPECTED["my_duties"],) * 2


# --- Statistics -----------------------------------------------------------------------------


def test_the_statistics_dashboard(client, counselor, civil_affairs, xlt):
    """Rows: reconciled cases, in the dashboard's period."""

    made = []

    def add_reconciled(n: int) -> list[str]:
        client.force_login(counselor)
        for _ in range(n):
            # Withdrawn on 19 October, inside the cooling-off period (ending 26 October).
            case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 25))
            made.append(case)
            closed = client.post(
                reverse("mediation:case-outcome", args=[case.uuid]),
                {"kind": "reconciled", "decided_on": "2026-10-19", "confirmed": "1"},
            )
            assert closed.status_code == HTTPStatus.FOUND
        client.force_login(civil_affairs)
        return [f'class="tx-num">{len(made)}<'] if len(made) >= 5 else []

    got = counts(client, reverse("reports:dashboard"), add_reconciled)

    assert got == (EXPECTED["dashboard"],) * 2
