"""`manage.py generate` on a fresh database: cases, rows and audit events per second for
10,000 cases at 10 offices (BENCH_GENERATE_CASES, BENCH_GENERATE_OFFICES override), then the
other apps' part (duty rosters by the planner, the statistics summary). docs/scaling.md quotes
it; 100,000 and 1,000,000 cases are run with the command itself."""

import os
import time

from django.apps import apps

from bench._timing import engine
from mediation.generator import generate, store

CASES = int(os.environ.get("BENCH_GENERATE_CASES", 10_000))
OFFICES = int(os.environ.get("BENCH_GENERATE_OFFICES", 10))


def main() -> None:
    summary = generate(cases=CASES, offices=OFFICES, hooks=False, log=lambda line: None)
    print(
        f"{engine()} ({store.default_method()}): {summary.cases:,} cases at {OFFICES} offices "
        f"in {summary.seconds:.1f} s = {summary.rate:,.0f} cases/s, "
        f"{summary.rows / summary.seconds:,.0f} rows/s "
        f"({summary.rows:,} rows, {summary.events:,} audit events, {summary.sealed:,} sealed)"
    )
    for label in ("counselors", "reports"):
        start = time.perf_counter()
        hook = getattr(apps.get_app_config(label), "generated_data", None)
        assert hook is not None, label
        hook(seed=16, log=lambda line: None)
        print(f"  {label} part: {time.perf_counter() - start:.1f} s")
