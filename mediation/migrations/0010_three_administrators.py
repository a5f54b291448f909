"""三员分立 (GB/T 22239-2019 level 3): the single system administrator becomes three roles.

The system administrator keeps accounts and the calendar (no longer the audit trail, roles or
memberships); the security administrator grants roles and memberships and resets second
factors; the audit administrator reads the trail. Existing holders of "sysadmin" stay system
administrators; the security administrator grants the other two roles.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Kept here as data: a migration must not import code that later changes.
ROLE_PERMISSIONS = {
    "sysadmin": ["view_accounts", "manage_accounts", "manage_calendar"],
    "secadmin": ["view_accounts", "grant_roles", "reset_second_factor"],
    "auditadmin": ["view_audit_trail"],
}


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_config = apps.get_app_config("mediation")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps, using=schema_editor.connection.alias)
    app_config.models_module = None
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="mediation", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("mediation", "0009_accounts_and_second_factor")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
