"""`manage.py reminders`: the reminders' sweep, run from cron every few minutes (or by the
worker): follow-up SMS due today are scheduled, messages whose time has come are sent (never in
quiet hours), and staff are notified of overdue items."""

from django.core.management.base import BaseCommand

from mediation.services import reminders, staff_reminders


class Command(BaseCommand):
    help = "Schedule and send SMS reminders, and notify staff of overdue items."

    def handle(self, *args, **options):
        scheduled = len(reminders.schedule_follow_up_reminders())
        sent = reminders.send_due()
        notices = staff_reminders.raise_overdue_notices()
        self.stdout.write(
            f"{scheduled} reminders scheduled, {sent} sent, {notices} staff notices raised."
        )
