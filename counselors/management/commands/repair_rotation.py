"""`manage.py repair_rotation --month YYYY-MM --absent USERNAME --from DAY --to DAY`: record a
sudden absence, repair the published roster from its first day and print what changes."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from counselors.forms import parse_month
from counselors.models import CounselorProfile, HalfDay, Roster, Unavailability
from counselors.services import availability, planning, publishing, solving

from ._output import describe


class Command(BaseCommand):
    help = "Repair a published roster after an absence; only the duties that must move, move."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--absent", required=True, help="username of the absent counsellor")
        parser.add_argument("--from", dest="start", required=True, type=date.fromisoformat)
        parser.add_argument("--to", dest="end", required=True, type=date.fromisoformat)
        parser.add_argument("--publish", action="store_true")

    def handle(self, *args, month, absent, start, end, publish, **options):
        first = parse_month(month, default=None)
        if first is None:
            raise CommandError("Give the month as YYYY-MM, e.g. 2026-10.")
        profile = CounselorProfile.objects.filter(user__username=absent).first()
        if profile is None:
            raise CommandError(f"{absent} is not in the duty rotation.")
        city = profile.home_office.city if profile.home_office else None
        city = city or profile.offices.values_list("city", flat=True).first()
        try:
            availability.record_unavailability(
                counselor=profile,
                kind=Unavailability.Kind.ABSENCE,
                start=start,
                end=end,
                entered_by=None,
                note="repair_rotation",
            )
            roster = planning.start_planning(
                city=city,
                month=first,
                requested_by=None,
                repair_from=max(start, first),
                enqueue=False,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        solving.run_planning(roster=roster)
        describe(self.stdout, roster)
        roster.refresh_from_db()
        changes = publishing.roster_changes(roster, roster.based_on)
        self.stdout.write(_("%(count)s changes:") % {"count": len(changes)})
        for change in changes:
            sign = "+" if change.added else "-"
            self.stdout.write(
                f"  {sign} {change.day} {HalfDay(change.half_day).label} {change.office.code} "
                f"{change.counselor.display_name} ({change.counselor.user.username})"
            )
        people = sorted({c.counselor.user.username for c in changes})
        self.stdout.write(_("touches: %(people)s") % {"people": ", ".join(people) or "-"})
        if publish and roster.status == Roster.Status.DRAFT and roster.usable:
            publishing.publish_roster(roster=roster, published_by=None)
            self.stdout.write(_("published"))
