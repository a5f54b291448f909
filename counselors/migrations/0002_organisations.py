"""The two Panjin partner organisations of DOMAIN.md and the registry itself."""

from django.db import migrations

ORGANISATIONS = [
    ("盘锦市社会心理健康服务发展研究会", "心理研究会", True),
    ("盘锦市爱心公益社会工作服务中心", "社工服务中心", True),
    ("婚姻登记处（本单位）", "登记处", False),
]


def forwards(apps, schema_editor):
    Organisation = apps.get_model("counselors", "Organisation")
    for name, short_name, is_partner in ORGANISATIONS:
        Organisation.objects.update_or_create(
            name=name, defaults={"short_name": short_name, "is_partner": is_partner}
        )


class Migration(migrations.Migration):
    dependencies = [("counselors", "0001_duty")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
