"""Moving the notices to the core keeps every existing notice, read or unread."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from mediation.models import Notice

BEFORE = [("counselors", "0002_organisations")]
AFTER = [("counselors", "0003_notices_to_core_and_duty_digest")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_duty_notices_become_core_notices(counselor):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    OldNotice = old_apps.get_model("counselors", "Notice")
    read_at = timezone.now()
    OldNotice.objects.create(recipient_id=counselor.pk, text="旧通知一", url="/x/")
    OldNotice.objects.create(recipient_id=counselor.pk, text="旧通知二", read_at=read_at)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    moved = {
        (n.text, n.url, n.read_at is not None) for n in Notice.objects.filter(recipient=counselor)
    }
    assert moved == {("旧通知一", "/x/", False), ("旧通知二", "", True)}
