"""`manage.py monthly_report --month YYYY-MM [--office CODE ...] [--user NAME] --output PATH`:
number, render, archive and copy out the month's report (`--draft`: a watermarked draft only);
`--scheduled` makes the reports due today (last month's from the first working day of a month,
last quarter's and last year's too on the first of a quarter and a year), once each: for a daily
cron line `0 7 * * * manage.py monthly_report --scheduled`."""

from datetime import date

from django.core.management.base import CommandError

from reports import periods, services
from reports.forms import parse_month as parse

from ._report import ReportCommand


def parse_month(text: str) -> date:
    try:
        return parse(text)
    except ValueError:
        raise CommandError(f"--month must look like 2021-08, not {text!r}") from None


class Command(ReportCommand):
    help = "Issue the monthly report as PDF/A, archive it with its number and SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM")
        self.add_report_arguments(parser)
        parser.add_argument(
            "--scheduled",
            action="store_true",
            help="make the reports due today (monthly, quarterly, annual), once each",
        )
        parser.add_argument("--today", help="YYYY-MM-DD (with --scheduled)")

    def handle(self, *args, month, scheduled, today, **options):
        if scheduled:
            day = date.fromisoformat(today) if today else None
            made = services.scheduled_reports(today=day)
            if not made:
                self.stdout.write("Nothing to do: not yet due, or already made.")
            for report in made:
                self.done(report, None)
            return
        if not month:
            raise CommandError("--month is required (or --scheduled)")
        self.make(periods.month(parse_month(month)), **options)
