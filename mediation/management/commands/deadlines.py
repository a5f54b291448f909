"""`manage.py deadlines YYYY-MM-DD [...]`: the cooling-off deadlines of applications received then.

One line per date, tab-separated: received, cooling-off end, certificate-window end (ISO dates),
then `final`, or `provisional` when a year the deadlines depend on is not loaded.
"""

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from mediation.clock import deadlines
from mediation.models import OfficialCalendarYear

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Command(BaseCommand):
    help = (
        "Print the end of the cooling-off period and of the certificate window for "
        "applications received on the given dates."
    )

    def add_arguments(self, parser):
        parser.add_argument("dates", nargs="+", metavar="YYYY-MM-DD", help="date of receipt")

    def handle(self, *args, dates: list[str], **options):
        received = []
        for text in dates:
            try:
                if not ISO_DATE.fullmatch(text):
                    raise ValueError(text)
                received.append(date.fromisoformat(text))
            except ValueError:
                raise CommandError(
                    f"'{text}' is not a date: write the date of receipt as YYYY-MM-DD, "
                    "e.g. 2026-09-01."
                ) from None
        # Both deadlines lie within about 70 days of receipt: at most the following year counts.
        years = range(min(received).year, max(received).year + 2)
        calendar = OfficialCalendarYear.objects.calendar(years)
        for day in received:
            result = deadlines(day, calendar)
            self.stdout.write(
                "\t".join(
                    [
                        result.received_on.isoformat(),
                        result.cooling_off_ends_on.isoformat(),
                        result.certificate_window_ends_on.isoformat(),
                        "provisional" if result.provisional else "final",
                    ]
                )
            )
