"""Keyed links for the audit trail (SECURITY.md, 'Audit trail'): events are chained by HMAC links
under an audit key that is never in the database; events written before keep their plain
SHA-256 chain. Links are append-only like events, and on PostgreSQL neither table can be
truncated. On SQLite, altering the events table rebuilds it, which drops its triggers: they are
made again here.

Every new event is queued for its link by the database itself (a trigger inserts it into
AuditPending), so no writer can leave one out and writing an event stays one statement.

`statements(vendor, up)` gives every append-only trigger of the trail (this migration's and
0006's), so tests can lift and restore them together; the queueing trigger is not among them.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

EARLIER = importlib.import_module("mediation.migrations.0006_audit_append_only")

REFUSE = "the audit trail is append-only"
SQLITE_UP = [
    f"""CREATE TRIGGER mediation_auditlink_no_update BEFORE UPDATE ON mediation_auditlink
       BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END""",
    f"""CREATE TRIGGER mediation_auditlink_no_delete BEFORE DELETE ON mediation_auditlink
       BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS mediation_auditlink_no_update",
    "DROP TRIGGER IF EXISTS mediation_auditlink_no_delete",
]
POSTGRES_UP = [
    """CREATE TRIGGER mediation_auditlink_append_only
       BEFORE UPDATE OR DELETE ON mediation_auditlink
       FOR EACH ROW EXECUTE FUNCTION mediation_audit_refuse()""",
    """CREATE TRIGGER mediation_auditevent_no_truncate
       BEFORE TRUNCATE ON mediation_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION mediation_audit_refuse()""",
    """CREATE TRIGGER mediation_auditlink_no_truncate
       BEFORE TRUNCATE ON mediation_auditlink
       FOR EACH STATEMENT EXECUTE FUNCTION mediation_audit_refuse()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS mediation_auditlink_append_only ON mediation_auditlink",
    "DROP TRIGGER IF EXISTS mediation_auditevent_no_truncate ON mediation_auditevent",
    "DROP TRIGGER IF EXISTS mediation_auditlink_no_truncate ON mediation_auditlink",
]


QUEUE_UP = {
    "sqlite": [
        """CREATE TRIGGER mediation_auditevent_queue AFTER INSERT ON mediation_auditevent
           WHEN NEW.hash IS NULL
           BEGIN INSERT INTO mediation_auditpending (event_seq) VALUES (NEW.seq); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION mediation_audit_queue() RETURNS trigger AS $$
           BEGIN INSERT INTO mediation_auditpending (event_seq) VALUES (NEW.seq); RETURN NULL; END
           $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER mediation_auditevent_queue AFTER INSERT ON mediation_auditevent
           FOR EACH ROW WHEN (NEW.hash IS NULL) EXECUTE FUNCTION mediation_audit_queue()""",
    ],
}
QUEUE_DOWN = {
    "sqlite": ["DROP TRIGGER IF EXISTS mediation_auditevent_queue"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS mediation_auditevent_queue ON mediation_auditevent",
        "DROP FUNCTION IF EXISTS mediation_audit_queue()",
    ],
}


def own_statements(vendor: str, up: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if vendor == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    raise RuntimeError(f"no append-only triggers for {vendor}")


def statements(vendor: str, up: bool) -> list[str]:
    """Every trigger of the trail: 0006's (events) and this migration's (links, TRUNCATE)."""
    if up:
        return EARLIER.statements(vendor, up=True) + own_statements(vendor, up=True)
    return own_statements(vendor, up=False) + EARLIER.statements(vendor, up=False)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # The rebuilt events table lost 0006's triggers.
        for sql in EARLIER.statements(vendor, up=False) + EARLIER.statements(vendor, up=True):
            schema_editor.execute(sql)
    for sql in own_statements(vendor, up=True) + QUEUE_UP[vendor]:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in QUEUE_DOWN[vendor] + own_statements(vendor, up=False):
        schema_editor.execute(sql)


def restore_earlier_on_sqlite(apps, schema_editor):
    """Going back, the events table is rebuilt once more: 0006's triggers are made again."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in EARLIER.statements(vendor, up=False) + EARLIER.statements(vendor, up=True):
            schema_editor.execute(sql)



class Migration(migrations.Migration):

    dependencies = [
        ('mediation', '0014_structured_notes_and_drafts'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_earlier_on_sqlite),
        migrations.CreateModel(
            name='AuditPending',
            fields=[
                ('event', models.OneToOneField(db_column='event_seq', on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='+', serialize=False, to='mediation.auditevent')),
            ],
            options={
                'verbose_name': 'audit event awaiting its link',
            },
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.CreateModel(
            name='AuditLink',
            fields=[
                ('position', models.BigIntegerField(primary_key=True, serialize=False)),
                ('key_id', models.CharField(max_length=40)),
                ('mac', models.CharField(max_length=64)),
                ('event', models.OneToOneField(db_column='event_seq', on_delete=django.db.models.deletion.PROTECT, related_name='link', to='mediation.auditevent')),
            ],
            options={
                'verbose_name': 'audit chain link',
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
