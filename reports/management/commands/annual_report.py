"""`manage.py annual_report --year 2021 [--office CODE ...] [--user NAME] --output PATH`: the
year's report (年报): the year's monthly trend, the offices compared and the figures since the
rooms opened, from the same pipeline as the monthly report."""

from django.core.management.base import CommandError

from reports import periods

from ._report import ReportCommand


class Command(ReportCommand):
    help = "Issue the annual report as PDF/A, archive it with its number and SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="YYYY")
        self.add_report_arguments(parser)

    def handle(self, *args, year, **options):
        if not 2000 <= year <= 2999:
            raise CommandError(f"--year must be a year like 2021, not {year}")
        self.make(periods.year(year), **options)
