"""`manage.py mark_lapsed [--today YYYY-MM-DD]`: the clock's daily run (cron or the worker).

Cases whose certificate window has ended with no outcome are recorded as lapsed (视为撤回),
each printed, never silently.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from mediation import services


class Command(BaseCommand):
    help = "Record lapsed divorce applications whose certificate window has ended."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to run as (default: today in Beijing)")

    def handle(self, *args, today=None, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"not a date: {today}") from None
        lapsed = services.mark_lapsed_cases(today=day)
        for case in lapsed:
            self.stdout.write(
                f"{case.number}\tlapsed on {case.certificate_window_ends_on.isoformat()}"
            )
        self.stdout.write(f"{len(lapsed)} cases recorded as lapsed.")
