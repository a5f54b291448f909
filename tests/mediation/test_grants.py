"""三员分立 (GB/T 22239-2019 level 3): only the security administrator grants roles and
offices, never their own; no one holds two administrator roles or an administrator role beside
another; every grant, removal and refused attempt is in the audit trail."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from mediation.models import AuditEvent, OfficeMembership, User
from mediation.roles import Role, roles_of, separation_problem
from mediation.services import grants
from tests.factories import make_user, open_divorce_case
from tests.helpers import error_codes


def grants_url(user):
    return reverse("mediation:account-grants", args=[user.pk])


def fresh_roles(user):
    return roles_of(User.objects.get(pk=user.pk))


def test_the_system_administrator_cannot_give_any_account_a_role_by_page_or_post(
    client, sysadmin, counselor
):
    client.force_login(sysadmin)
    attempts = []
    for account in (counselor, sysadmin):
        attempts.append(client.get(grants_url(account)).status_code)
        attempts.append(
            client.post(
                grants_url(account), {"roles": ["supervisor"], "offices": [], "reason": "我自己"}
            ).status_code
        )
    with pytest.raises(PermissionDenied):
        grants.set_roles_and_offices(
            actor=sysadmin, account=sysadmin, roles=[Role.SUPERVISOR], offices=[], reason="x"
        )

    assert attempts == [HTTPStatus.NOT_FOUND] * 4
    assert fresh_roles(sysadmin) == [Role.SYSADMIN]
    assert fresh_roles(counselor) == [Role.COUNSELOR]
    refused = AuditEvent.objects.filter(actor=sysadmin, action="account.roles", outcome="denied")
    assert refused.count() == 5
    assert {event.object_uuid for event in refused} == {str(counselor.pk), str(sysadmin.pk)}


def test_the_security_administrator_grants_a_role_and_the_grant_is_in_the_trail(
    client, secadmin, counselor, xlt, ps
):
    client.force_login(secadmin)

    response = client.post(
        grants_url(counselor),
        {"roles": ["counselor", "supervisor"], "offices": [xlt.pk, ps.pk], "reason": "任负责人"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert fresh_roles(counselor) == [Role.COUNSELOR, Role.SUPERVISOR]
    events = AuditEvent.objects.filter(actor=secadmin, action__startswith="account.").order_by(
        "seq"
    )
    assert [(e.action, e.details.get("role") or e.details.get("office")) for e in events] == [
        ("account.role.grant", "supervisor"),
        ("account.office.join", "PS"),
    ]
    assert all(
        e.details["reason"] == "任负责人" and e.object_uuid == str(counselor.pk) for e in events
    )


def test_removing_a_role_and_an_office_is_in_the_trail_too(secadmin, supervisor, xlt):
    changes = grants.set_roles_and_offices(
        actor=secadmin, account=supervisor, roles=[], offices=[], reason="离职"
    )

    assert (changes.removed, changes.left) == ([Role.SUPERVISOR], ["XLT"])
    assert not OfficeMembership.objects.filter(user=supervisor).exists()
    assert set(AuditEvent.objects.filter(actor=secadmin).values_list("action", flat=True)) == {
        "account.role.remove",
        "account.office.leave",
    }


def test_the_security_administrator_cannot_change_their_own_roles(client, secadmin):
    client.force_login(secadmin)

    page = client.get(grants_url(secadmin))
    response = client.post(
        grants_url(secadmin), {"roles": ["secadmin", "auditadmin"], "reason": "x"}
    )

    assert "这是您本人的账户" in page.text
    assert response.status_code == HTTPStatus.OK
    assert "任何人都不能在此修改自己的账户" in response.text
    assert fresh_roles(secadmin) == [Role.SECADMIN]
    assert AuditEvent.objects.filter(
        actor=secadmin, action="account.roles", outcome="denied", details__refused="own_account"
    ).exists()


@pytest.mark.parametrize(
    ("roles", "code"),
    [
        ([Role.SYSADMIN, Role.AUDITADMIN], "two_administrators"),
        ([Role.SECADMIN, Role.SYSADMIN], "two_administrators"),
        ([Role.AUDITADMIN, Role.COUNSELOR], "administrator_and_other"),
        ([Role.SYSADMIN, Role.CIVIL_AFFAIRS], "administrator_and_other"),
    ],
)
def test_nobody_holds_two_administrator_roles_or_one_beside_another_role(
    secadmin, counselor, roles, code
):
    with pytest.raises(ValidationError) as refused:
        grants.set_roles_and_offices(
            actor=secadmin, account=counselor, roles=roles, offices=[], reason="试"
        )

    assert error_codes(refused.value) == {code}
    assert fresh_roles(counselor) == [Role.COUNSELOR]
    assert AuditEvent.objects.filter(outcome="denied", details__refused=code).exists()


def test_the_separation_rule_itself():
    assert separation_problem([Role.COUNSELOR, Role.SUPERVISOR]) is None
    assert separation_problem([Role.AUDITADMIN]) is None
    assert separation_problem([Role.AUDITADMIN, Role.SECADMIN]) == "two_administrators"


def test_the_security_administrators_page_shows_the_separation_check(client, secadmin, sysadmin):
    client.force_login(secadmin)
    clean = client.get(reverse("mediation:account-list")).text
    # What an old database or the shell could have left behind.
    sysadmin.groups.add(Group.objects.get(name="auditadmin"))
    User.objects.filter(pk=sysadmin.pk).update(is_superuser=True)

    findings = client.get(reverse("mediation:account-list")).text

    assert "没有账户违反三员分立" in clean
    assert "三员分立检查" in findings
    assert "任何人不得同时担任" in findings
    assert "超级用户标记" in findings


def test_the_system_administrators_list_has_no_grant_controls(client, sysadmin, counselor):
    client.force_login(sysadmin)

    page = client.get(reverse("mediation:account-detail", args=[counselor.pk])).text

    assert grants_url(counselor) not in page


def test_the_first_administrators_come_from_the_shell(db, capsys):
    call_command("create_administrator", "zhangsan", "--role", "security", "--name", "张三")

    account = User.objects.get(username="zhangsan")
    out = capsys.readouterr().out
    assert fresh_roles(account) == [Role.SECADMIN]
    assert account.must_change_password
    assert "Temporary password" in out
    events = AuditEvent.objects.filter(object_uuid=str(account.pk)).order_by("seq")
    assert [(e.action, e.role) for e in events] == [
        ("account.create", "system"),
        ("account.role.grant", "system"),
    ]


def test_the_three_administrators_reach_no_case_content(
    client, sysadmin, secadmin, auditadmin, counselor, xlt
):
    case = open_divorce_case(xlt, counselor)
    for user in (sysadmin, secadmin, auditadmin):
        OfficeMembership.objects.create(user=user, office=xlt)  # even a stray membership
        client.force_login(user)
        assert client.get(reverse("mediation:case-detail", args=[case.uuid])).status_code == 404
        assert client.get(reverse("mediation:office-cases")).status_code == 404
    assert make_user(Role.COUNSELOR, xlt, username="x9").has_perm("mediation.work_cases")
