"""Finding a case by number, by a party's full name (a keyed blind index of the normalised
name) or by ID number (posted only), always within the cases the user may see."""

from datetime import date
from http import HTTPStatus

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mediation import keys, selectors, services
from mediation.identity import mask_name, normalise_name
from mediation.models import AuditEvent, Case, Party
from tests.factories import open_divorce_case

SEARCH = reverse("mediation:case-search")
ID_NUMBER = "21110319850101009X"


@pytest.fixture
def chen(counselor, xlt):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, 2))
    first, second = case.parties.all()
    services.update_party(party=first, updated_by=counselor, name="陈 小杰", id_number=ID_NUMBER)
    services.update_party(party=second, updated_by=counselor, name="杨静")
    return case


@pytest.fixture
def namesake_elsewhere(other_counselor, ps):
    case = open_divorce_case(ps, other_counselor, received_on=date(2026, 11, 2))
    services.update_party(party=case.parties.first(), updated_by=other_counselor, name="陈小杰")
    return case


def test_names_are_normalised_and_masked_as_offices_write_them():
    assert normalise_name(" 陈 小杰 ") == normalise_name("陈小杰") == "陈小杰"
    assert normalise_name("阿卜杜·热合曼") == normalise_name("阿卜杜・热合曼")
    assert normalise_name("ＬＩ Ｍｉｎｇ") == "liming"
    assert [mask_name(n) for n in ("陈小杰", "杨静", "欧阳春华", "王")] == [
        "陈*杰",
        "杨*",
        "欧**华",
        "王",
    ]


def test_a_partys_name_finds_their_case_and_nothing_outside_the_office(
    client, supervisor, chen, namesake_elsewhere
):
    client.force_login(supervisor)

    response = client.post(SEARCH, {"q": "陈小杰"})

    assert [case.pk for case in response.context["result"].cases] == [chen.pk]
    assert chen.number in response.text
    assert namesake_elsewhere.number not in response.text
    assert "陈*杰 / 杨*" in response.text
    assert "陈小杰" not in response.text.replace('value="陈小杰"', "")


def test_an_id_number_is_searched_by_post_and_never_leaves_a_trace(client, counselor, chen):
    client.force_login(counselor)

    by_post = client.post(SEARCH, {"q": ID_NUMBER.lower()})
    by_get = client.get(SEARCH, {"q": ID_NUMBER})

    assert by_post.status_code == HTTPStatus.OK
    assert "Location" not in by_post
    assert [case.pk for case in by_post.context["result"].cases] == [chen.pk]
    assert by_get.context["result"] is None  # a URL never searches
    event = AuditEvent.objects.get(action="case.search")
    assert event.details == {"by": "id_number", "found": 1}
    assert ID_NUMBER not in str(AuditEvent.objects.values_list("details", flat=True))


def test_a_mistyped_id_number_says_why_and_finds_nothing(client, counselor, chen):
    client.force_login(counselor)

    response = client.post(SEARCH, {"q": ID_NUMBER[:-1] + "1"})

    assert response.context["result"].cases == []
    assert "校验" in response.text


def test_a_case_number_or_its_end_finds_the_case(client, counselor, chen):
    client.force_login(counselor)

    whole = client.post(SEARCH, {"q": chen.number})
    end = client.post(SEARCH, {"q": chen.number[-4:]})

    assert [c.pk for c in whole.context["result"].cases] == [chen.pk]
    assert [c.pk for c in end.context["result"].cases] == [chen.pk]


def test_a_counsellor_finds_only_their_own_cases(client, other_counselor, chen):
    client.force_login(other_counselor)

    response = client.post(SEARCH, {"q": "陈小杰"})

    assert response.context["result"].cases == []


@pytest.mark.parametrize("who", ["civil_affairs", "womens_federation", "sysadmin"])
def test_the_statistics_and_administrator_roles_cannot_search(client, db, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.post(SEARCH, {"q": "陈小杰"}).status_code == HTTPStatus.NOT_FOUND


def test_rebuilding_the_blind_index_fills_the_name_index(counselor, chen):
    Party.objects.update(name_index="")

    keys.rebuild_blind_index()

    assert Party.objects.exclude(name_index="").count() == 2
    assert Party.objects.filter(name_index=services.name_index_of("陈小杰")).get().case == chen


def test_the_case_list_opens_on_open_cases_by_next_deadline_with_numbered_pages(
    client, counselor, xlt
):
    for day in (16, 2, 9):
        open_divorce_case(xlt, counselor, received_on=date(2026, 11, day))
    closed = open_divorce_case(xlt, counselor, received_on=date(2026, 10, 1))
    services.close_case(
        case=closed, kind="reconciled", decided_on=date(2026, 10, 20), recorded_by=counselor
    )
    client.force_login(counselor)

    default = client.get(reverse("mediation:case-list"))
    everything = client.get(reverse("mediation:case-list"), {"status": "all"})

    received = [case.received_on.day for case in default.context["page"]]
    assert received == [2, 9, 16]
    assert len(everything.context["page"]) == 4
    assert "共 3 条" in default.text


def test_a_list_of_every_status_shows_open_cases_by_deadline_then_closed_ones_newest_first(
    client, counselor, xlt
):
    opened = {
        day: open_divorce_case(xlt, counselor, received_on=date(2026, 11, day))
        for day in (16, 2, 9)
    }
    closed = []
    for day in (1, 3, 2):
        case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, day))
        services.close_case(
            case=case, kind="reconciled", decided_on=date(2026, 9, 20), recorded_by=counselor
        )
        closed.append(case)
    newest_closed = closed[::-1]
    client.force_login(counselor)

    def listed(status):
        response = client.get(reverse("mediation:case-list"), {"status": status})
        return [case.pk for case in response.context["page"]]

    by_deadline = [opened[day].pk for day in (2, 9, 16)]
    assert listed("all") == by_deadline + [case.pk for case in newest_closed]
    assert listed("closed") == [case.pk for case in newest_closed]
    assert listed("open") == by_deadline


def test_a_page_link_of_the_default_list_stays_on_open_cases(client, counselor, xlt):
    for day in (2, 9):
        open_divorce_case(xlt, counselor, received_on=date(2026, 11, day))
    closed = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    services.close_case(
        case=closed, kind="reconciled", decided_on=date(2026, 9, 20), recorded_by=counselor
    )
    client.force_login(counselor)

    response = client.get(reverse("mediation:case-list"), {"page": 1})

    assert [case.status for case in response.context["page"]] == ["open", "open"]
    assert "共 2 条" in response.text


def test_pages_of_every_status_cross_from_open_to_closed_cases_without_losing_one(counselor, xlt):
    for day in (5, 6, 7):
        open_divorce_case(xlt, counselor, received_on=date(2026, 11, day))
    for day in (1, 2, 3, 4):
        case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, day))
        services.close_case(
            case=case, kind="reconciled", decided_on=date(2026, 9, 20), recorded_by=counselor
        )
    whole = selectors.OpenFirst(Case.objects.visible_to(counselor), date(2026, 11, 10))

    pages = Paginator(whole, 2)
    rows = [case for number in pages.page_range for case in pages.page(number)]

    assert pages.count == len(whole) == 7
    assert [case.status for case in rows] == ["open"] * 3 + ["closed"] * 4
    assert len({case.pk for case in rows}) == 7
    assert whole[3] == rows[3]
    assert whole[2:5] == rows[2:5]


def test_the_case_lists_cost_as_many_queries_for_twice_the_cases(
    client, counselor, supervisor, xlt
):
    def queries(user, url):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == HTTPStatus.OK
        return len(captured)

    mine, office = reverse("mediation:case-list"), reverse("mediation:office-cases")

    def named_cases(count):
        for day in range(1, count + 1):
            case = open_divorce_case(xlt, counselor, received_on=date(2026, 11, day))
            services.update_party(party=case.parties.first(), updated_by=counselor, name="示例")

    named_cases(3)
    few = queries(counselor, mine), queries(supervisor, office)
    named_cases(6)

    assert (queries(counselor, mine), queries(supervisor, office)) == few
