"""The today page triages: overdue first and counted, then today's sessions, the week's
deadlines, unsigned notes and follow-ups, each bounded, each row naming its case and parties
(masked, one audited read per page) and what its date is. The clock is frozen on Monday
30 November 2026 (tests/mediation/conftest.py)."""

from datetime import date, datetime
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mediation import services
from mediation.models import AuditEvent, CounselingSession, OutcomeKind
from tests.factories import held_session_with_note, open_divorce_case


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time())).replace(
        hour=hour, minute=minute
    )


def named(case, counselor, first="陈小杰", second="杨静"):
    one, two = case.parties.all()
    services.update_party(party=one, updated_by=counselor, name=first)
    services.update_party(party=two, updated_by=counselor, name=second)
    return case


def a_day_of_work(xlt, counselor, n=0):
    """One of everything the today page shows, the n-th time (distinct times and dates)."""
    reconciled = named(open_divorce_case(xlt, counselor, received_on=date(2026, 6, 1)), counselor)
    services.close_case(
        case=reconciled,
        kind=OutcomeKind.RECONCILED,
        decided_on=date(2026, 6, 10),
        recorded_by=counselor,
    )  # follow-ups due 10 September (overdue) and 10 December (due soon)
    past = named(open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1)), counselor)
    services.book_session(
        case=past,
        kind="joint",
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
        starts_at=at(date(2026, 11, 20), 9 + n % 7),
    )  # never recorded; and its certificate window ended on 9 November with no outcome
    soon = named(open_divorce_case(xlt, counselor, received_on=date(2026, 11, 2)), counselor)
    services.book_session(
        case=soon,
        kind="joint",
        room="调解室二",
        lead_counselor=counselor,
        booked_by=counselor,
        starts_at=at(date(2026, 11, 30), 13 + n % 4, 5 * (n // 4)),
    )
    noted = named(open_divorce_case(xlt, counselor, received_on=date(2026, 10, 20)), counselor)
    held_session_with_note(noted, counselor, when=at(date(2026, 11, 25), 9, n))
    return reconciled, past, soon, noted


def test_the_sections_come_in_order_of_urgency_with_overdue_red_and_counted(client, counselor, xlt):
    a_day_of_work(xlt, counselor)
    client.force_login(counselor)

    response = client.get(reverse("mediation:today"))

    sections = response.context["sections"]
    assert [s.key for s in sections] == ["overdue", "sessions", "deadlines", "notes", "follow_ups"]
    counts = {s.key: s.total for s in sections}
    # Follow-ups are per party: two overdue (10 September) and two due on 10 December.
    assert counts == {"overdue": 4, "sessions": 1, "deadlines": 1, "notes": 1, "follow_ups": 2}
    html = response.text
    assert "逾期" in html
    assert 'data-testid="count-overdue">4<' in html
    assert "tx-section-urgent" in html
    assert html.index("section-overdue") < html.index("section-sessions")


def test_each_row_names_the_case_and_the_masked_parties_and_labels_its_date(client, counselor, xlt):
    _reconciled, _past, soon, _ = a_day_of_work(xlt, counselor)
    client.force_login(counselor)

    html = client.get(reverse("mediation:today")).text

    assert soon.number in html
    assert "陈*杰 / 杨*" in html
    assert "陈小杰" not in html
    assert "杨静" not in html
    assert "冷静期届满" in html
    assert "2026年12月2日（周三）" in html
    assert "离婚证申领期限已过" in html
    assert "2026年11月9日（周一）" in html
    assert "回访" in html
    assert "2026年9月10日（周四）" in html
    assert "图例" in html  # the legend is on the page, not in a tooltip


def test_the_names_of_a_whole_page_are_one_audited_read(client, counselor, xlt):
    a_day_of_work(xlt, counselor)
    a_day_of_work(xlt, counselor, n=1)
    client.force_login(counselor)
    before = AuditEvent.objects.filter(action="party.identity.read").count()

    client.get(reverse("mediation:today"))

    reads = AuditEvent.objects.filter(action="party.identity.read").order_by("-seq")
    assert reads.count() == before + 1
    event = reads.first()
    assert event.actor == counselor
    assert event.details["masked"] is True
    assert len(event.details["records"]) >= 8
    assert "陈" not in str(event.details)


def test_a_section_shows_five_rows_and_offers_all_of_them(client, counselor, xlt):
    for _n in range(7):
        named(open_divorce_case(xlt, counselor, received_on=date(2026, 11, 2)), counselor)
    client.force_login(counselor)

    page = client.get(reverse("mediation:today"))
    everything = client.get(reverse("mediation:today-section", args=["deadlines"]))

    deadlines = next(s for s in page.context["sections"] if s.key == "deadlines")
    assert len(deadlines.rows) == 5
    assert deadlines.total == 7
    assert "查看全部 (7)" in page.text
    assert len(everything.context["section"].rows) == 7
    assert "共 7 条" in everything.text


def test_an_unknown_section_is_404(client, counselor):
    client.force_login(counselor)

    assert client.get("/mediation/today/nothing/").status_code == HTTPStatus.NOT_FOUND


def test_a_supervisor_has_no_today_page_but_lands_elsewhere(client, supervisor):
    client.force_login(supervisor)

    assert client.get(reverse("mediation:today")).status_code == HTTPStatus.NOT_FOUND


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == HTTPStatus.OK
    return len(queries)


@pytest.mark.parametrize("section", [None, "overdue", "deadlines", "notes"])
def test_the_pages_cost_as_many_queries_for_twice_the_rows(client, counselor, xlt, section):
    url = reverse("mediation:today-section", args=[section]) if section else "/mediation/today/"
    client.force_login(counselor)
    # Within a section's five rows: past them a section is counted apart (one query more).
    a_day_of_work(xlt, counselor, 0)
    few = queries_for(client, url)
    a_day_of_work(xlt, counselor, 1)

    many = queries_for(client, url)

    assert many == few
    assert CounselingSession.objects.filter(starts_at__date=timezone.localdate()).count() == 2


def a_waiting_draft(xlt, counselor, n=0):
    """A note typed, saved automatically, never saved by its author (an idle sign-out)."""
    case = named(open_divorce_case(xlt, counselor, received_on=date(2026, 10, 20)), counselor)
    session, note = held_session_with_note(case, counselor, when=at(date(2026, 11, 26), 9, n))
    services.save_draft(
        session=session,
        author=counselor,
        sections={"body": f"示例：空闲前写的字{n}"},
        base_version=note.version,
    )
    return case


def test_drafts_waiting_to_be_resumed_head_the_page_only_when_there_are_some(
    client, counselor, xlt
):
    a_day_of_work(xlt, counselor)
    client.force_login(counselor)
    without = client.get(reverse("mediation:today"))
    case = a_waiting_draft(xlt, counselor)

    response = client.get(reverse("mediation:today"))

    assert "section-drafts" not in without.text
    assert "继续" not in without.text
    keys = [s.key for s in response.context["sections"]]
    assert keys == ["drafts", "overdue", "sessions", "deadlines", "notes", "follow_ups"]
    drafts = response.context["sections"][0]
    assert drafts.total == 1
    assert drafts.rows[0].case == case
    assert "继续" in response.text
    assert "示例：空闲前写的字" not in response.text
    assert reverse("mediation:note-edit", args=[case.uuid, case.sessions.get().uuid]) in (
        response.text
    )


@pytest.mark.parametrize("section", [None, "drafts"])
def test_the_drafts_cost_as_many_queries_for_twice_the_rows(client, counselor, xlt, section):
    url = reverse("mediation:today-section", args=[section]) if section else "/mediation/today/"
    client.force_login(counselor)
    for n in range(2):
        a_waiting_draft(xlt, counselor, n)
    few = queries_for(client, url)
    for n in range(2, 4):
        a_waiting_draft(xlt, counselor, n)

    assert queries_for(client, url) == few


def test_closed_cases_stay_on_the_page_while_something_is_due_and_cost_nothing_after(
    client, counselor, xlt
):
    """A counsellor keeps the assignments of closed cases (the follow-ups come after closing):
    the reconciled case's follow-ups stay on the page; cases closed with nothing left to do
    change neither the page nor its number of queries, however many there are."""
    reconciled, *_ = a_day_of_work(xlt, counselor)
    client.force_login(counselor)
    url = reverse("mediation:today")
    before = client.get(url).content.decode()
    few = queries_for(client, url)
    for n in range(4):
        done = open_divorce_case(xlt, counselor, received_on=date(2026, 6, 1 + n))
        services.close_case(
            case=done,
            kind=OutcomeKind.DIVORCED,
            decided_on=date(2026, 7, 10),
            recorded_by=counselor,
        )

    after = client.get(url).content.decode()

    assert queries_for(client, url) == few
    assert reconciled.number in after
    assert after.count("/mediation/cases/") == before.count("/mediation/cases/") > 0
