"""`manage.py plan_rotation --month YYYY-MM [--office CODE ...] [--publish]`: plan a month,
one model per city, and print per office the covered and uncovered half-days."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from counselors.forms import parse_month
from counselors.services import planning, publishing, solving
from mediation.models import RegistryOffice

from ._output import describe


class Command(BaseCommand):
    help = "Plan the duty rotation of a month (each city on its own) and optionally publish it."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--office", action="append", default=[], help="office code")
        parser.add_argument("--publish", action="store_true")

    def handle(self, *args, month: str, office: list[str], publish: bool, **options):
        first = parse_month(month, default=None)
        if first is None or f"{first:%Y-%m}" != month:
            raise CommandError("Give the month as YYYY-MM, e.g. 2026-10.")
        offices = RegistryOffice.objects.all()
        if office:
            offices = offices.filter(code__in=office)
            unknown = sorted(set(office) - set(offices.values_list("code", flat=True)))
            if unknown:
                raise CommandError(f"Unknown office codes: {', '.join(unknown)}")
        by_city: dict[str, list[str]] = {}
        for city, code in offices.order_by("city", "code").values_list("city", "code"):
            by_city.setdefault(city, []).append(code)
        for city, codes in by_city.items():
            try:
                roster = planning.start_planning(
                    city=city,
                    month=first,
                    requested_by=None,
                    office_codes=codes if office else None,
                    enqueue=False,
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            solving.run_planning(roster=roster)
            describe(self.stdout, roster)
            roster.refresh_from_db()
            if publish and roster.usable:
                publishing.publish_roster(roster=roster, published_by=None)
                self.stdout.write("  " + _("published"))
