"""The administrator's records of the people in the rotation (counselors.services.profiles):
adding and changing profiles, qualifications, each change in the audit trail."""

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from counselors.models import CounselorProfile, Organisation, Qualification
from counselors.services import profiles
from mediation.models import AuditEvent
from mediation.roles import Role
from tests.factories import make_user
from tests.helpers import error_codes


def profile_data(organisation, office, **changes):
    return {
        "organisation": organisation.pk,
        "role": "social_worker",
        "home_office": office.pk,
        "offices": [office.pk],
        "max_half_days_per_week": 4,
        "max_half_days_per_month": 16,
        "in_rotation": "on",
        **changes,
    }


def test_the_administrator_adds_a_counsellor_to_the_rotation(client, rules, civil_affairs, xlt):
    newcomer = make_user(Role.COUNSELOR, xlt, username="c_new", full_name="新同事")
    client.force_login(civil_affairs)
    organisation = Organisation.objects.first()

    client.post(
        reverse("counselors:profile-create"),
        {"user": newcomer.pk, **profile_data(organisation, xlt)},
    )

    profile = CounselorProfile.objects.get(user=newcomer)
    assert list(profile.offices.all()) == [xlt]
    assert client.get(reverse("counselors:profile-list")).text.count("新同事") == 1
    event = AuditEvent.objects.get(action="duty.profile.create")
    assert (event.actor, event.details["offices"]) == (civil_affairs, ["XLT"])


def test_the_home_office_must_be_one_they_may_serve(civil_affairs, xlt, ps):
    newcomer = make_user(Role.COUNSELOR, xlt, username="c_new", full_name="新同事")

    with pytest.raises(ValidationError) as error:
        profiles.create_profile(
            user=newcomer,
            organisation=Organisation.objects.first(),
            role=CounselorProfile.Role.MEDIATOR,
            home_office=ps,
            offices=[xlt],
            created_by=civil_affairs,
        )

    assert error_codes(error.value) == {"home_not_served"}
    assert not CounselorProfile.objects.exists()


def test_a_profile_change_is_saved_and_audited_with_the_fields_it_changed(
    client, team, civil_affairs, xlt, ps
):
    profile = team[2]
    client.force_login(civil_affairs)

    response = client.post(
        reverse("counselors:profile-detail", args=[profile.pk]),
        {
            "action": "profile",
            **profile_data(profile.organisation, ps, role=profile.role, max_half_days_per_week=6),
            "offices": [xlt.pk, ps.pk],
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    profile.refresh_from_db()
    assert (profile.home_office, profile.max_half_days_per_week) == (ps, 6)
    event = AuditEvent.objects.get(action="duty.profile.update")
    assert event.details["changed"] == ["home_office", "max_half_days_per_week"]


def test_the_page_shows_the_home_office_rule_beside_its_field(client, team, civil_affairs, ps):
    profile = team[0]  # serves XLT only
    client.force_login(civil_affairs)

    response = client.post(
        reverse("counselors:profile-detail", args=[profile.pk]),
        {
            "action": "profile",
            **profile_data(profile.organisation, ps, role=profile.role),
            "offices": [profile.home_office.pk],
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert "常驻登记处必须是其可坐诊的登记处之一。" in response.text
    profile.refresh_from_db()
    assert profile.home_office != ps
    assert not AuditEvent.objects.filter(action="duty.profile.update").exists()


def test_qualifications_are_added_and_removed_with_an_audit_event_each(client, team, civil_affairs):
    profile = team[1]  # holds no qualification
    client.force_login(civil_affairs)

    client.post(
        reverse("counselors:profile-detail", args=[profile.pk]),
        {
            "action": "qualification",
            "kind": "psychological",
            "name": "国家三级心理咨询师",
            "certificate_number": "X-1",
            "expires_on": "2027-12-31",
        },
    )
    qualification = Qualification.objects.get(counselor=profile)
    client.post(reverse("counselors:qualification-delete", args=[qualification.pk]))

    assert not Qualification.objects.filter(counselor=profile).exists()
    events = AuditEvent.objects.filter(action__startswith="duty.qualification").order_by("seq")
    assert [(e.action, e.details["kind"]) for e in events] == [
        ("duty.qualification.add", "psychological"),
        ("duty.qualification.remove", "psychological"),
    ]
    assert all("X-1" not in str(e.details) for e in events)  # no certificate number kept


def test_a_counsellor_cannot_remove_a_qualification(client, team):
    qualification = team[0].qualifications.get()
    client.force_login(team[0].user)

    response = client.post(reverse("counselors:qualification-delete", args=[qualification.pk]))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Qualification.objects.filter(pk=qualification.pk).exists()
