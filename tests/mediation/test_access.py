from http import HTTPStatus

from django.urls import reverse

from tests.helpers import comparable_page


def test_counsellor_sees_their_own_office_page(client, counselor, xlt):
    client.force_login(counselor)

    response = client.get(reverse("mediation:office-detail", args=[xlt.code]))

    assert response.status_code == HTTPStatus.OK
    assert "兴隆台区婚姻登记处" in response.text


def test_counsellor_gets_404_for_another_offices_page(client, counselor, ps):
    client.force_login(counselor)

    response = client.get(reverse("mediation:office-detail", args=[ps.code]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_unknown_office_and_forbidden_office_look_alike(client, counselor, ps):
    client.force_login(counselor)

    forbidden = client.get(reverse("mediation:office-detail", args=[ps.code]))
    missing = client.get(reverse("mediation:office-detail", args=["NOPE"]))

    assert forbidden.status_code == missing.status_code == HTTPStatus.NOT_FOUND
    assert comparable_page(forbidden.text) == comparable_page(missing.text)


def test_counsellors_start_on_their_today_page(client, counselor):
    client.force_login(counselor)

    response = client.get(reverse("home"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("mediation:today")


def test_start_page_lists_only_the_supervisors_offices(client, supervisor):
    client.force_login(supervisor)

    response = client.get(reverse("home"))

    assert "兴隆台区婚姻登记处" in response.text
    assert "盘山县婚姻登记处" not in response.text


def test_city_level_administrator_sees_all_four_offices(client, civil_affairs):
    client.force_login(civil_affairs)

    response = client.get(reverse("home"))

    for name in (
        "兴隆台区婚姻登记处",
        "双台子区婚姻登记处",
        "大洼区婚姻登记处",
        "盘山县婚姻登记处",
    ):
        assert name in response.text


def test_system_administrator_is_not_a_superuser_and_cannot_work_cases(sysadmin):
    assert not sysadmin.is_superuser
    assert not sysadmin.has_perm("mediation.work_cases")
    assert sysadmin.has_perm("mediation.view_audit_trail")
