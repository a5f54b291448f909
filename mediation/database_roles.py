"""The application's database role (SECURITY.md, 'Audit trail'): on PostgreSQL Tongxin runs as a
role that owns nothing, so it cannot drop or disable the audit trail's triggers, truncate a
table or change the schema; `manage.py migrate` runs as the owner and then grants the app's
role what it needs, and no more. Plain statements in, executed by the migrate command.
"""

from collections.abc import Callable
from typing import Any

# The trail is append-only for the application: it may add events and links, never change them.
AUDIT_TABLES = ("mediation_auditevent", "mediation_auditlink")
MIGRATION_TABLE = "django_migrations"


def grant_statements(
    *, app_role: str, owner_role: str, schema: str, quote: Callable[[str], str]
) -> list[str]:
    """What the owner runs after every migration: SELECT, INSERT, UPDATE, DELETE on every table
    (and the same by default on tables made later), nothing more on the schema, and neither
    UPDATE nor DELETE on the audit trail nor writes to the migration history."""
    app, owner, where = quote(app_role), quote(owner_role), quote(schema)
    audit_tables = ", ".join(quote(table) for table in AUDIT_TABLES)
    return [
        f"REVOKE CREATE ON SCHEMA {where} FROM {app}",
        f"GRANT USAGE ON SCHEMA {where} TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {app}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {where} FROM {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {where} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {where} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        f"REVOKE UPDATE, DELETE ON {audit_tables} FROM {app}",
        f"REVOKE INSERT, UPDATE, DELETE ON {quote(MIGRATION_TABLE)} FROM {app}",
    ]


def grant_to_app_role(connection: Any, app_role: str) -> list[str]:
    """Run the grants on a PostgreSQL connection made as the owner; returns the statements."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        owner_role, schema = cursor.fetchone()
        statements = grant_statements(
            app_role=app_role, owner_role=owner_role, schema=schema, quote=connection.ops.quote_name
        )
        for statement in statements:
            cursor.execute(statement)
    return statements


def tables_owned_by_current_user(connection: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_tables "
            "WHERE schemaname = current_schema() AND tableowner = current_user"
        )
        return int(cursor.fetchone()[0])
