from http import HTTPStatus

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from mediation import access, services
from mediation.models import Case, OfficeMembership, User
from mediation.roles import Role
from tests.factories import make_user, office, open_divorce_case
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


def test_a_supervisor_lands_on_the_desk_of_their_office_only(client, supervisor):
    client.force_login(supervisor)

    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain == [(reverse("counselors:desk"), 302)]
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


def test_the_three_administrators_each_hold_their_own_powers_and_no_case_work(
    sysadmin, secadmin, auditadmin
):
    powers = {
        "mediation.manage_accounts": {sysadmin},
        "mediation.manage_calendar": {sysadmin},
        "mediation.grant_roles": {secadmin},
        "mediation.reset_second_factor": {secadmin},
        "mediation.view_audit_trail": {auditadmin},
        "mediation.work_cases": set(),
        "mediation.supervise_office": set(),
        "mediation.view_statistics": set(),
    }
    for permission, holders in powers.items():
        assert {u for u in (sysadmin, secadmin, auditadmin) if u.has_perm(permission)} == holders
    assert not any(u.is_superuser for u in (sysadmin, secadmin, auditadmin))


def test_the_superuser_flag_grants_nothing(xlt):
    user = make_user(Role.COUNSELOR, xlt, username="flagged")
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    user = User.objects.get(pk=user.pk)

    assert user.has_perm("mediation.work_cases")
    assert not user.has_perm("mediation.grant_roles")
    assert not user.has_perm("mediation.supervise_office")
    assert not user.has_perm("mediation.view_audit_trail")


# One rule, two forms: the list filter and the per-object check must agree for every role.


@pytest.fixture
def people(
    counselor,
    other_counselor,
    supervisor,
    civil_affairs,
    womens_federation,
    sysadmin,
    secadmin,
    auditadmin,
):
    xlt, ps = office("XLT"), office("PS")
    colleague = make_user(Role.COUNSELOR, xlt, username="c_xlt_unassigned")
    left = make_user(Role.COUNSELOR, xlt, username="c_xlt_left")
    inactive = make_user(Role.COUNSELOR, xlt, username="c_xlt_inactive")
    return {
        "counsellor assigned": counselor,
        "counsellor unassigned": colleague,
        "counsellor who left the office": left,
        "counsellor at another office": other_counselor,
        "supervisor of the office": supervisor,
        "supervisor of another office": make_user(Role.SUPERVISOR, ps, username="s_ps"),
        "civil-affairs administrator": civil_affairs,
        "women's-federation administrator": womens_federation,
        "system administrator": sysadmin,
        "security administrator": secadmin,
        "audit administrator": auditadmin,
        "inactive counsellor": inactive,
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def cases(people, supervisor, xlt, ps):
    assigned = open_divorce_case(xlt, people["counsellor assigned"], consent=False)
    ended = open_divorce_case(xlt, people["counsellor assigned"], consent=False)
    services.unassign_counselor(
        case=ended, counselor=people["counsellor assigned"], unassigned_by=supervisor
    )
    elsewhere = open_divorce_case(ps, people["counsellor at another office"], consent=False)
    left = open_divorce_case(xlt, people["counsellor who left the office"], consent=False)
    OfficeMembership.objects.filter(user=people["counsellor who left the office"]).delete()
    inactive = open_divorce_case(xlt, people["inactive counsellor"], consent=False)
    User.objects.filter(pk=people["inactive counsellor"].pk).update(is_active=False)
    return {
        "assigned": assigned,
        "ended": ended,
        "elsewhere": elsewhere,
        "left": left,
        "inactive": inactive,
    }


def fresh(user):
    """The user as the next request loads it (no permission or role cached on the object)."""
    return user if user.pk is None else User.objects.get(pk=user.pk)


def fresh_case(case):
    return Case.objects.get(pk=case.pk)


EXPECTED_VISIBLE = {
    "counsellor assigned": {"assigned"},
    "counsellor unassigned": set(),
    "counsellor who left the office": set(),
    "counsellor at another office": {"elsewhere"},
    "supervisor of the office": {"assigned", "ended", "left", "inactive"},
    "supervisor of another office": {"elsewhere"},
    "civil-affairs administrator": set(),
    "women's-federation administrator": set(),
    "system administrator": set(),
    "security administrator": set(),
    "audit administrator": set(),
    "inactive counsellor": set(),
    "anonymous": set(),
}


@pytest.mark.parametrize("who", list(EXPECTED_VISIBLE))
def test_the_list_filter_and_the_per_object_check_agree_for_every_role(people, cases, who):
    user = fresh(people[who])
    names = {case.pk: name for name, case in cases.items()}

    listed = {names[pk] for pk in Case.objects.visible_to(user).values_list("pk", flat=True)}
    checked = {
        action: {name for name, case in cases.items() if access.can(user, action, fresh_case(case))}
        for action in access.Action
    }
    per_action = {
        action: {names[pk] for pk in access.cases_for(user, action).values_list("pk", flat=True)}
        for action in access.Action
    }

    assert listed == checked[access.Action.VIEW] == EXPECTED_VISIBLE[who]
    assert per_action == checked


def test_a_supervisor_manages_but_never_works_or_reads_notes(people, cases):
    supervisor = fresh(people["supervisor of the office"])
    case = fresh_case(cases["assigned"])

    allowed = {action for action in access.Action if access.can(supervisor, action, case)}

    assert allowed == {
        access.Action.VIEW,
        access.Action.READ_IDENTITY,
        access.Action.CLOSE,
        access.Action.MANAGE,
    }
