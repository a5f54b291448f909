"""Statistics read from the replica while it keeps up; everything else from the primary.

The test settings have a second alias, 'replica', mirroring the test database (conftest.py).
On PostgreSQL it answers the lag query as a server that is not replaying: lag 0, so it may
serve. SQLite cannot say how far behind a copy is: unknown lag, so reads stay on the primary.
"""

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config import db_router
from config.db_router import LagGuard, ReplicaRouter, is_fresh, measure_lag, statistics_reads
from mediation.models import Case, OfficeMembership, RegistryOffice, User
from reports.models import MonthlyFigure

POSTGRES = connection.vendor == "postgresql"
# Transactional: inside the usual per-test transaction every read would (rightly) stay on the
# primary, and the replica's connection would not see the rows.
BOTH = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=["default", "replica"]
)


@pytest.fixture
def replica(settings):
    settings.TONGXIN_REPLICA_ALIAS = "replica"
    settings.TONGXIN_REPLICA_MAX_LAG = 30
    db_router.guard.forget()
    yield "replica"
    db_router.guard.forget()


router = ReplicaRouter()


@pytest.mark.parametrize(
    ("lag", "max_lag", "fresh"),
    [(0.0, 30, True), (29.9, 30, True), (30.0, 30, True), (30.1, 30, False), (None, 30, False)],
)
def test_the_replica_serves_only_with_a_known_lag_within_the_limit(lag, max_lag, fresh):
    assert is_fresh(lag, max_lag) is fresh


def test_the_lag_is_asked_again_only_after_the_check_interval(settings):
    settings.TONGXIN_REPLICA_LAG_CHECK = 5
    asked, now = [], [100.0]
    guard = LagGuard(measure=lambda alias: asked.append(alias) or 1.5, clock=lambda: now[0])

    assert guard.lag("replica") == 1.5
    now[0] += 4.9
    guard.lag("replica")
    now[0] += 0.1
    guard.lag("replica")

    assert asked == ["replica", "replica"]


def test_without_a_replica_statistics_read_from_the_primary(settings):
    settings.TONGXIN_REPLICA_ALIAS = ""

    with statistics_reads():
        assert router.db_for_read(Case) is None
        assert router.db_for_read(MonthlyFigure) is None


def test_reads_outside_statistics_never_go_to_the_replica(replica):
    assert router.db_for_read(Case) is None
    assert router.db_for_read(MonthlyFigure) is None


@BOTH
def test_measured_lag_of_the_replica(replica):
    assert measure_lag("replica") == (0.0 if POSTGRES else None)


@BOTH
def test_statistics_read_from_a_replica_that_keeps_up(replica):
    with statistics_reads():
        chosen = router.db_for_read(Case)

    assert chosen == ("replica" if POSTGRES else None)


@BOTH
def test_a_lagging_replica_is_not_used(replica, settings):
    settings.TONGXIN_REPLICA_MAX_LAG = -1  # any real lag is over this limit

    with statistics_reads():
        assert router.db_for_read(Case) is None
        assert router.db_for_read(MonthlyFigure) is None


@BOTH
def test_rows_that_decide_access_always_come_from_the_primary(replica):
    with statistics_reads():
        for model in (User, Group, OfficeMembership, Session):
            assert router.db_for_read(model) is None, model
        assert router.db_for_read(RegistryOffice) == ("replica" if POSTGRES else None)


@BOTH
def test_reads_inside_a_transaction_on_the_primary_stay_on_the_primary(replica):
    with statistics_reads(), transaction.atomic():
        assert router.db_for_read(Case) is None


def test_writes_always_go_to_the_primary(replica):
    with statistics_reads():
        assert router.db_for_write(MonthlyFigure) == "default"


def test_the_replica_is_never_migrated(settings):
    settings.TONGXIN_REPLICA_ALIAS = "replica"

    assert router.allow_migrate("replica", "mediation") is False
    assert router.allow_migrate("default", "mediation") is None


@BOTH
def test_statistics_pages_read_from_the_replica_and_case_pages_from_the_primary(
    replica, client, civil_affairs, counselor
):
    client.force_login(civil_affairs)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    assert (len(on_replica) > 1) is POSTGRES  # SQLite: only nothing, the lag being unknown

    client.force_login(counselor)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get(reverse("mediation:today"))
    assert response.status_code == 200
    assert len(on_replica) == 0


@BOTH
def test_statistics_pages_fall_back_to_the_primary_when_the_replica_lags(
    replica, settings, client, civil_affairs
):
    settings.TONGXIN_REPLICA_MAX_LAG = -1
    client.force_login(civil_affairs)

    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get(reverse("reports:dashboard"))

    assert response.status_code == 200
    assert [q["sql"] for q in on_replica] == ([db_router.POSTGRES_LAG_SQL] if POSTGRES else [])
