"""`manage.py monthly_report --month YYYY-MM [--office CODE ...] --output PATH`: render, archive
and copy out the monthly PDF; `--scheduled` makes last month's report on the first working day
(for a daily cron line: `0 7 * * * manage.py monthly_report --scheduled`), once."""

import shutil
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mediation.models import RegistryOffice, User
from reports import services
from reports.forms import parse_month as parse


def parse_month(text: str) -> date:
    try:
        return parse(text)
    except ValueError:
        raise CommandError(f"--month must look like 2021-08, not {text!r}") from None


class Command(BaseCommand):
    help = "Render the monthly report as PDF, archive it with its SHA-256, and copy it out."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM")
        parser.add_argument("--office", action="append", default=[], help="office code")
        parser.add_argument("--output", help="where to write a copy of the PDF")
        parser.add_argument("--user", help="the account the archive names as maker")
        parser.add_argument(
            "--scheduled",
            action="store_true",
            help="make last month's report if today is on or after the first working day",
        )
        parser.add_argument("--today", help="YYYY-MM-DD (with --scheduled)")

    def handle(self, *args, month, office, output, user, scheduled, today, **options):
        if scheduled:
            day = date.fromisoformat(today) if today else None
            report = services.scheduled_report(today=day)
            if report is None:
                self.stdout.write("Nothing to do: not yet due, or already made.")
                return
            self._done(report, output)
            return
        if not month:
            raise CommandError("--month is required (or --scheduled)")
        offices = list(RegistryOffice.objects.filter(code__in=office).order_by("code"))
        unknown = sorted(set(office) - {o.code for o in offices})
        if unknown:
            raise CommandError(f"unknown office code(s): {', '.join(unknown)}")
        maker = None
        if user:
            maker = User.objects.filter(username=user).first()
            if maker is None:
                raise CommandError(f"no account {user!r}")
        try:
            report = services.request_report(
                month=parse_month(month), offices=offices, made_by=maker
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        report = services.generate_report(report=report)
        self._done(report, output)

    def _done(self, report, output):
        path = services.report_path(report)
        if output:
            shutil.copyfile(path, output)
        self.stdout.write(
            f"{report.month:%Y-%m} {report.office_codes}: {report.pages} pages, "
            f"reconciled since opening {report.reconciled}\n"
            f"archived {path}\nsha256 {report.sha256}" + (f"\ncopied to {output}" if output else "")
        )
