"""The four Panjin registry offices (DOMAIN.md) and the five roles as groups with permissions."""

import datetime

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICES = [
    ("XLT", "兴隆台区婚姻登记处", "Xinglongtai District Marriage Registry", 2),
    ("STZ", "双台子区婚姻登记处", "Shuangtaizi District Marriage Registry", 1),
    ("DW", "大洼区婚姻登记处", "Dawa District Marriage Registry", 1),
    ("PS", "盘山县婚姻登记处", "Panshan County Marriage Registry", 1),
]

# Kept here as data: a migration must not import code that later changes.
ROLE_PERMISSIONS = {
    "counselor": ["work_cases", "view_own_duty"],
    "supervisor": ["supervise_office", "view_own_duty"],
    "civil_affairs": ["view_statistics", "plan_rotation", "manage_calendar"],
    "womens_federation": ["view_statistics"],
    "sysadmin": [
        "view_audit_trail",
        "manage_calendar",
        "view_user",
        "add_user",
        "change_user",
        "view_registryoffice",
        "change_registryoffice",
        "view_officemembership",
        "add_officemembership",
        "change_officemembership",
        "delete_officemembership",
    ],
}


def forwards(apps, schema_editor):
    RegistryOffice = apps.get_model("mediation", "RegistryOffice")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for code, name, name_en, rooms in OFFICES:
        RegistryOffice.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "city": "盘锦市",
                "rooms": rooms,
                "opened_on": datetime.date(2021, 3, 1),
            },
        )
    # Permissions are normally created after migrate; the groups need them now.
    app_config = apps.get_app_config("mediation")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps, using=schema_editor.connection.alias)
    app_config.models_module = None
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="mediation", codename__in=codenames
            )
        )
    Group.objects.get(name="sysadmin").permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", codename="view_group")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
