"""`manage.py duty_digest [--day YYYY-MM-DD]`: e-mail tomorrow's duty to the counsellors who
asked for it (cron, once each afternoon); running it twice sends nothing twice."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from counselors.services.digests import send_duty_digests


class Command(BaseCommand):
    help = "E-mail tomorrow's duty to counsellors who asked for the digest."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="the duty day (default: tomorrow in Beijing)")

    def handle(self, *args, day=None, **options):
        try:
            duty_day = date.fromisoformat(day) if day else None
        except ValueError:
            raise CommandError(f"not a date: {day}") from None
        self.stdout.write(f"{send_duty_digests(day=duty_day)} duty digests sent.")
