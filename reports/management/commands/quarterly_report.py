"""`manage.py quarterly_report --quarter 2021-Q3 [--office CODE ...] [--user NAME] --output PATH`:
the quarter's report (季报), from the same pipeline as the monthly one."""

import re

from django.core.management.base import CommandError

from reports import periods

from ._report import ReportCommand

QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]?([1-4])\s*$")


class Command(ReportCommand):
    help = "Issue the quarterly report as PDF/A, archive it with its number and SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--quarter", required=True, help="YYYY-Qn, e.g. 2021-Q3")
        self.add_report_arguments(parser)

    def handle(self, *args, quarter, **options):
        match = QUARTER.match(quarter)
        if not match:
            raise CommandError(f"--quarter must look like 2021-Q3, not {quarter!r}")
        self.make(periods.quarter(int(match[1]), int(match[2])), **options)
