"""`manage.py reports_rollup [--rebuild]`: build (or bring up to date) the summary table that
the statistics pages read. Safe to run at any time, e.g. nightly from cron."""

import time

from django.core.management.base import BaseCommand

from reports import rollup


class Command(BaseCommand):
    help = "Build or refresh the statistics summary table."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="count every office again")

    def handle(self, *args, rebuild: bool, **options):
        start = time.perf_counter()
        if rebuild or not rollup.is_built():
            rows = rollup.build()
            self.stdout.write(f"Summary built: {rows} rows in {time.perf_counter() - start:.1f} s.")
        else:
            codes = rollup.refresh()
            self.stdout.write(
                f"Summary refreshed ({', '.join(codes) or 'nothing changed'}) "
                f"in {time.perf_counter() - start:.1f} s."
            )
