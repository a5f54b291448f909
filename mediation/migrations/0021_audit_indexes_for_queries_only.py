"""The trail's indexes serve its queries and nothing else, since every event is written into
each of them: the record's UUID is looked up by equality only (PostgreSQL's pattern-matching
twin of its index goes), and the legacy hash is unique where it is set (NULL on every keyed
event, which no longer enters that index, nor its pattern twin). On SQLite, altering the events
table rebuilds it, which drops its triggers: they are made again, each way.
"""

import importlib

from django.db import migrations, models

KEYED = importlib.import_module("mediation.migrations.0015_audit_keyed_chain")


def triggers_again_on_sqlite(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor != "sqlite":
        return
    append_only = KEYED.EARLIER.statements(vendor, up=False) + KEYED.EARLIER.statements(
        vendor, up=True
    )
    for sql in append_only + KEYED.QUEUE_DOWN[vendor] + KEYED.QUEUE_UP[vendor]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0020_open_case_and_due_indexes"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, triggers_again_on_sqlite),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="object_uuid",
            field=models.CharField(blank=True, max_length=36, verbose_name="record"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["object_uuid"], name="audit_object_idx"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("hash__isnull", False)),
                fields=("hash",),
                name="audit_legacy_hash_unique",
            ),
        ),
        migrations.RunPython(triggers_again_on_sqlite, migrations.RunPython.noop),
    ]
