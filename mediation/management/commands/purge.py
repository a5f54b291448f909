"""`manage.py purge [--dry-run]`: the nightly retention run (cron or the task worker).

Crypto-shreds each closed case's record classes past their retention period
(settings.TONGXIN_RETENTION_DAYS) and the deletions a withdrawn consent scheduled, skipping
cases under a legal hold; one audit event per case, each printed. `--dry-run` prints the plan
and changes nothing.
"""

from django.core.management.base import BaseCommand

from mediation.services import retention


class Command(BaseCommand):
    help = "Delete (crypto-shred) personal data whose retention period has passed."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print the plan only")

    def handle(self, *args, dry_run=False, **options):
        plan = retention.plan_purge() if dry_run else retention.purge()
        verb = "would purge" if dry_run else "purged"
        for case, classes in plan.cases:
            self.stdout.write(f"{case.number}\t{verb}\t{','.join(classes)}")
        for party in plan.erasures:
            self.stdout.write(
                f"{party.case.number}\t{verb}\tparty {party.position} (consent withdrawn)"
            )
        self.stdout.write(
            f"{len(plan.cases)} cases and {len(plan.erasures)} parties {verb}; "
            f"{plan.held} cases past their period skipped under a legal hold."
        )
