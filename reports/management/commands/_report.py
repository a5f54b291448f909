"""What the report commands share: offices and the account from the options, making a draft or
an archived report, copying it out and saying what was made. Not a command itself."""

import gc
import getpass
import shutil
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mediation.models import RegistryOffice, User
from reports import pdf, services
from reports.periods import Period


class ReportCommand(BaseCommand):
    def run_from_argv(self, argv):
        """From the command line (not call_command): once the report is made the process ends,
        and the interpreter's last cycle collection would walk every object of Django and
        WeasyPrint, a third of a second, only to hand the memory back to the operating system
        that is about to take it anyway. Frozen objects are left out of it."""
        super().run_from_argv(argv)
        gc.freeze()

    def add_report_arguments(self, parser):
        parser.add_argument("--office", action="append", default=[], help="office code")
        parser.add_argument("--output", help="where to write a copy of the PDF")
        parser.add_argument(
            "--user",
            help="the account that issues the report (without it, the server account running "
            "the command is named as its maker)",
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="write a watermarked draft to --output; nothing is numbered or archived",
        )

    def offices(self, codes: list[str]) -> list[RegistryOffice]:
        offices = list(RegistryOffice.objects.filter(code__in=codes).order_by("code"))
        unknown = sorted(set(codes) - {o.code for o in offices})
        if unknown:
            raise CommandError(f"unknown office code(s): {', '.join(unknown)}")
        return offices

    def account(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account {username!r}")
        return user

    def make(self, period: Period, *, office, output, user, draft, **options) -> None:
        offices = self.offices(office)
        account = self.account(user)
        if draft:
            if not output:
                raise CommandError("--draft needs --output")
            rendered, _page, _context = pdf.report(
                offices or list(RegistryOffice.objects.order_by("code")),
                period,
                pdf.Issue(draft=True, issued_on=timezone.localdate()),
            )
            Path(output).write_bytes(rendered.pdf)
            self.stdout.write(f"draft {period.slug}: {rendered.pages} pages, written to {output}")
            return
        with translation.override("zh-hans"):
            issuer = _("%(account)s (server account)") % {"account": getpass.getuser()}
        try:
            report = services.make_report(
                period=period, offices=offices, confirmed_by=account, issuer=issuer
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.done(report, output)

    def done(self, report, output) -> None:
        path = services.report_path(report)
        if path is None:
            raise CommandError(f"{report.period.slug}: the report could not be archived")
        if output:
            shutil.copyfile(path, output)
        self.stdout.write(
            f"{report.period.slug} {report.office_codes}: {report.number}, {report.pages} pages, "
            f"reconciled since opening {report.reconciled}\n"
            f"archived {path}\nsha256 {report.sha256}" + (f"\ncopied to {output}" if output else "")
        )
