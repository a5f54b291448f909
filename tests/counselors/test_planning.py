"""Starting a plan or a repair (counselors.services.planning): what is refused, the audited draft,
and the planning task, which is queued only once the draft is committed."""

from datetime import date
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from counselors.models import Roster
from counselors.services import planning
from mediation.models import AuditEvent
from tests.counselors.conftest import OCTOBER
from tests.helpers import error_codes

ROSTER = reverse("counselors:roster")


def test_a_month_whose_year_is_not_loaded_is_refused(team, civil_affairs):
    with pytest.raises(ValidationError) as error:
        planning.start_planning(
            city="盘锦市", month=date(2027, 3, 1), requested_by=civil_affairs, enqueue=False
        )

    assert error_codes(error.value) == {"calendar_missing"}


def test_a_repair_needs_a_published_roster_and_a_first_day_inside_the_month(
    published, civil_affairs
):
    with pytest.raises(ValidationError) as nothing_published:
        planning.start_planning(
            city="盘锦市",
            month=date(2026, 12, 1),
            requested_by=civil_affairs,
            repair_from=date(2026, 12, 7),
            enqueue=False,
        )
    with pytest.raises(ValidationError) as outside:
        planning.start_planning(
            city="盘锦市",
            month=OCTOBER,
            requested_by=civil_affairs,
            repair_from=date(2026, 11, 2),
            enqueue=False,
        )

    assert error_codes(nothing_published.value) == {"no_published"}
    assert error_codes(outside.value) == {"repair_outside_month"}


def test_unknown_cities_and_offices_are_refused(team, civil_affairs):
    with pytest.raises(ValidationError) as city:
        planning.start_planning(
            city="鞍山市", month=OCTOBER, requested_by=civil_affairs, enqueue=False
        )
    with pytest.raises(ValidationError) as office:
        planning.start_planning(
            city="盘锦市",
            month=OCTOBER,
            requested_by=civil_affairs,
            office_codes=["XLT", "NOPE"],
            enqueue=False,
        )

    assert error_codes(city.value) == {"unknown_city"}
    assert error_codes(office.value) == {"unknown_office"}
    assert not Roster.objects.exists()


def test_a_new_draft_replaces_the_older_one_and_each_is_audited(team, civil_affairs):
    first = planning.start_planning(
        city="盘锦市", month=OCTOBER, requested_by=civil_affairs, enqueue=False
    )

    second = planning.start_planning(
        city="盘锦市", month=OCTOBER, requested_by=civil_affairs, enqueue=False
    )

    assert list(Roster.objects.values_list("pk", flat=True)) == [second.pk]
    assert first.pk != second.pk
    assert AuditEvent.objects.filter(action="roster.plan", actor=civil_affairs).count() == 2


def test_the_task_is_queued_only_when_the_draft_commits(
    team, civil_affairs, django_capture_on_commit_callbacks
):
    def plan_then_fail() -> None:
        with transaction.atomic():
            planning.start_planning(city="盘锦市", month=OCTOBER, requested_by=civil_affairs)
            raise RuntimeError("the request fails after the draft was made")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        plan_then_fail()
    assert not DBTaskResult.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        draft = planning.start_planning(city="盘锦市", month=OCTOBER, requested_by=civil_affairs)
        assert not DBTaskResult.objects.exists()  # still inside the transaction

    draft.refresh_from_db()
    assert str(DBTaskResult.objects.get().pk) == draft.task_id


def test_planning_from_the_page_is_queued_for_the_worker_and_the_page_returns_at_once(
    client, team, civil_affairs, django_capture_on_commit_callbacks
):
    client.force_login(civil_affairs)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("counselors:roster-plan"), {"city": "盘锦市", "month": "2026-10"}
        )

    assert response.status_code == HTTPStatus.FOUND
    draft = Roster.objects.get()
    assert draft.solver_status == Roster.Solver.QUEUED
    assert draft.duties.count() == 0
    assert DBTaskResult.objects.filter(pk=draft.task_id, status="READY").exists()
    page = client.get(response["Location"])
    assert reverse("counselors:roster-status", args=[draft.pk]) in page.text  # htmx polls it


def test_with_a_worker_the_plan_appears_in_the_month_grid(
    client, team, civil_affairs, immediate_tasks, django_capture_on_commit_callbacks
):
    client.force_login(civil_affairs)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("counselors:roster-plan"), {"city": "盘锦市", "month": "2026-10"})

    draft = Roster.objects.get()
    assert draft.solver_status == Roster.Solver.OPTIMAL
    status = client.get(reverse("counselors:roster-status", args=[draft.pk]))
    assert status["HX-Refresh"] == "true"
    page = client.get(ROSTER, {"month": "2026-10"})
    assert "李咨询" in page.text
    assert "草稿" in page.text
