"""The audit trail is append-only: the database itself refuses UPDATE and DELETE on it."""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER mediation_auditevent_no_update BEFORE UPDATE ON mediation_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    """CREATE TRIGGER mediation_auditevent_no_delete BEFORE DELETE ON mediation_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS mediation_auditevent_no_update",
    "DROP TRIGGER IF EXISTS mediation_auditevent_no_delete",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION mediation_audit_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END
       $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER mediation_auditevent_append_only
       BEFORE UPDATE OR DELETE ON mediation_auditevent
       FOR EACH ROW EXECUTE FUNCTION mediation_audit_refuse()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS mediation_auditevent_append_only ON mediation_auditevent",
    "DROP FUNCTION IF EXISTS mediation_audit_refuse()",
]


def statements(vendor: str, up: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if vendor == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    raise RuntimeError(f"no append-only triggers for {vendor}")


def forwards(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, up=True):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, up=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("mediation", "0005_casework")]

    operations = [migrations.RunPython(forwards, backwards)]
