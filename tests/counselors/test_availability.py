"""Leave, unavailability and sudden absence (counselors.services.availability): who may enter
what, the checks on the dates, and the audit trail of each entry and removal."""

import re
from datetime import date
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from counselors.models import Unavailability
from counselors.services import availability
from mediation.models import AuditEvent
from tests.helpers import error_codes


def test_a_counsellor_declares_leave_but_not_a_sudden_absence(client, team):
    client.force_login(team[0].user)

    client.post(
        reverse("counselors:my-unavailability"),
        {"kind": "leave", "start": "2026-12-07", "end": "2026-12-09", "half_day": ""},
    )
    client.post(
        reverse("counselors:my-unavailability"),
        {"kind": "absence", "start": "2026-12-10", "end": "2026-12-10", "half_day": ""},
    )

    assert list(Unavailability.objects.values_list("kind", "start")) == [
        ("leave", date(2026, 12, 7))
    ]
    assert AuditEvent.objects.filter(action="duty.unavailability", actor=team[0].user).count() == 1


def test_the_last_day_may_not_come_first_and_one_entry_spans_a_year_at_most(team, civil_affairs):
    with pytest.raises(ValidationError) as backwards:
        availability.record_unavailability(
            counselor=team[1],
            kind="leave",
            start=date(2026, 12, 9),
            end=date(2026, 12, 7),
            entered_by=civil_affairs,
        )
    with pytest.raises(ValidationError) as too_long:
        availability.record_unavailability(
            counselor=team[1],
            kind="leave",
            start=date(2026, 12, 1),
            end=date(2028, 1, 1),
            entered_by=civil_affairs,
        )

    assert error_codes(backwards.value) == {"order"}
    assert error_codes(too_long.value) == {"too_long"}
    assert not Unavailability.objects.exists()


def test_a_counsellor_cannot_remove_someone_elses_unavailability(client, team, civil_affairs):
    row = availability.record_unavailability(
        counselor=team[1],
        kind="leave",
        start=date(2026, 12, 1),
        end=date(2026, 12, 2),
        entered_by=civil_affairs,
    )
    client.force_login(team[0].user)

    response = client.post(reverse("counselors:unavailability-delete", args=[row.pk]))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Unavailability.objects.filter(pk=row.pk).exists()


def test_a_counsellor_removes_their_own_and_the_removal_is_audited(client, team):
    row = availability.record_unavailability(
        counselor=team[0],
        kind="leave",
        start=date(2026, 12, 1),
        end=date(2026, 12, 2),
        entered_by=team[0].user,
    )
    client.force_login(team[0].user)

    response = client.post(reverse("counselors:unavailability-delete", args=[row.pk]))

    assert response.status_code == HTTPStatus.FOUND
    assert not Unavailability.objects.exists()
    assert AuditEvent.objects.filter(action="duty.unavailability.remove").count() == 1


def test_the_administrator_records_a_sudden_absence_and_is_told_to_repair(
    client, team, civil_affairs
):
    client.force_login(civil_affairs)

    response = client.post(
        reverse("counselors:profile-detail", args=[team[2].pk]),
        {"action": "unavailability", "kind": "absence", "start": "2026-12-01", "end": "2026-12-02"},
        follow=True,
    )

    assert Unavailability.objects.get().kind == "absence"
    assert "请从2026年12月1日（周二）起调整排班" in response.text


def test_the_administrator_sees_the_length_error_beside_the_last_day(client, team, civil_affairs):
    client.force_login(civil_affairs)

    response = client.post(
        reverse("counselors:profile-detail", args=[team[2].pk]),
        {"action": "unavailability", "kind": "leave", "start": "2026-12-01", "end": "2028-01-01"},
    )

    assert response.status_code == HTTPStatus.OK
    assert re.search(r'id="error_1_id_end"[^>]*>\s*<strong>每次最多录入一年。', response.text)
    assert not Unavailability.objects.exists()
