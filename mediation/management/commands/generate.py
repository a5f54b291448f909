"""`manage.py generate --cases N --offices M [--years Y] [--seed S]`: realistic case data for
measuring at scale (mediation/generator, docs/scaling.md). Adds to what is there; meant for a
database of its own, never a production one."""

from django.core.management.base import BaseCommand, CommandError

from mediation.generator import generate, store


class Command(BaseCommand):
    help = "Generate realistic cases, people and audit events for load tests and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="how many cases")
        parser.add_argument("--offices", type=int, default=4, help="how many registry offices")
        parser.add_argument("--years", type=int, default=5, help="spread over the last years")
        parser.add_argument("--seed", type=int, default=16, help="same seed, same shape")
        parser.add_argument("--batch", type=int, default=2000, help="cases per transaction")
        parser.add_argument(
            "--insert",
            choices=store.METHODS,
            help="how rows reach the database (default: COPY on PostgreSQL, else executemany)",
        )
        parser.add_argument(
            "--core-only",
            action="store_true",
            help="skip the other apps' part (duty rosters, the statistics summary)",
        )

    def handle(self, *args, cases, offices, years, seed, batch, insert, core_only, **options):
        if cases < 1 or offices < 1 or years < 1 or batch < 1:
            raise CommandError("--cases, --offices, --years and --batch must be positive.")
        summary = generate(
            cases=cases,
            offices=offices,
            years=years,
            seed=seed,
            batch=batch,
            hooks=not core_only,
            method=insert or "",
            log=self.stdout.write,
        )
        self.stdout.write(
            f"Generated {summary.cases:,} cases ({summary.rows:,} rows, {summary.events:,} audit "
            f"events, {summary.sealed:,} sealed rows) in {summary.seconds:.1f} s: "
            f"{summary.rate:,.0f} cases/s."
        )
