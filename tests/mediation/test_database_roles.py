"""The application's PostgreSQL role owns nothing: it cannot truncate the audit trail, drop or
disable its triggers, or change an event, and still does all its work (SECURITY.md, 'Audit
trail'; docs/operations.md, 'Database roles'). These run when DATABASE_MIGRATE_URL names the
owner, as in CI's PostgreSQL pass (.ci/run); elsewhere they are skipped."""

import pytest
from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse

from mediation import audit, database_roles, services
from mediation.models import AuditEvent
from tests.factories import held_session_with_note, open_divorce_case

pytestmark = [
    pytest.mark.skipif(
        not settings.TONGXIN_DATABASE_OWNER
        or "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL and DATABASE_MIGRATE_URL (two roles)",
    ),
]


@pytest.fixture(autouse=True)
def closed_after(request):
    """The `app` connection is closed after each test, so the test database can be dropped."""
    yield
    with request.getfixturevalue("django_db_blocker").unblock():
        connections["app"].close()


def as_app(sql: str) -> None:
    with transaction.atomic(using="app"), connections["app"].cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.django_db(databases=["default", "app"])
def test_the_application_role_owns_no_table(db):
    app = connections["app"]

    with app.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (role,) = cursor.fetchone()

    assert role == settings.TONGXIN_DATABASE_APP_ROLE != connection.settings_dict["USER"]
    assert database_roles.tables_owned_by_current_user(app) == 0


@pytest.mark.django_db(databases=["default", "app"])
@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE mediation_auditevent CASCADE",
        "TRUNCATE mediation_auditlink",
        "DROP TRIGGER mediation_auditevent_append_only ON mediation_auditevent",
        "DROP TRIGGER mediation_auditevent_no_truncate ON mediation_auditevent",
        "ALTER TABLE mediation_auditevent DISABLE TRIGGER ALL",
        "UPDATE mediation_auditevent SET action = 'forged'",
        "DELETE FROM mediation_auditlink",
        "CREATE TABLE mediation_forged (id int)",
        "DELETE FROM django_migrations",
    ],
)
def test_the_application_role_cannot_wipe_or_unprotect_the_trail(counselor, sql):
    audit.record(actor=counselor, action="test.event")

    with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
        as_app(sql)


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "app"])
def test_the_application_works_as_its_role(client, counselor, xlt):
    """A counsellor's morning, every statement made as the application's role."""
    default = connection.settings_dict
    runner = {key: default[key] for key in ("USER", "PASSWORD")}
    connection.close()
    default.update({key: connections["app"].settings_dict[key] for key in runner})
    try:
        case = open_divorce_case(xlt, counselor)
        services.update_party(party=case.parties.first(), updated_by=counselor, name="测试人")
        session, _note = held_session_with_note(case, counselor)
        client.force_login(counselor)
        page = client.get(reverse("mediation:session-detail", args=[case.uuid, session.uuid]))
        result = audit.verify()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            (role,) = cursor.fetchone()
    finally:
        connection.close()
        default.update(runner)

    assert role == settings.TONGXIN_DATABASE_APP_ROLE
    assert page.status_code == 200
    assert "示例笔记" in page.text
    assert result.ok, result.reason
    assert AuditEvent.objects.filter(action="note.read").exists()


@pytest.mark.django_db(databases=["default", "app"])
def test_the_database_check_finds_nothing_to_warn_about_the_application_role(db):
    as_app = [m.id for m in checks.run_checks(tags=["database"], databases=["app"])]

    assert "tongxin.W103" not in as_app
    assert database_roles.tables_owned_by_current_user(connections["default"]) > 0
