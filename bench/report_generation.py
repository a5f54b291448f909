"""The monthly report on the 2021 pilot, whole process against `manage.py check` (issue 'Statistics
that read like an official document', Measure): how long loading the pilot takes, then
`manage.py monthly_report --month 2021-08` and `manage.py check` run in turn, and the report's
time less the check's (the start-up both share) as the generation's own time; then where that
time goes, stage by stage, in one process.

The machine is shared and noisy: medians of paired runs, CPU seconds beside wall seconds.
BENCH_RUNS sets the number of pairs (default 7).
"""

import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from unittest.mock import patch

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import override_settings
from django.utils import translation

from mediation import keyring
from mediation.collector import cycle_collector_paused
from mediation.models import User
from reports import pages, pdf, periods, rollup, services
from reports.tables import Publication

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
AUGUST = periods.month(date(2021, 8, 1))


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _run(command: list[str], env: dict) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, of the process and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def own_key_ring() -> None:
    """A development key ring and an audit checkpoint file of the bench's own, for this process
    and the commands it runs: the bench needs an audit key whatever the developer's ring holds,
    and the developer's checkpoint file must never learn the bench database's head."""
    place = Path(tempfile.mkdtemp(prefix="bench-report-"))
    key_file, checkpoints = place / "keys.json", place / "checkpoints.log"
    call_command(
        "keys", "generate", "--development", "--output", str(key_file), stdout=io.StringIO()
    )
    os.environ["TONGXIN_KEY_FILE"] = str(key_file)
    os.environ["TONGXIN_AUDIT_CHECKPOINT_FILE"] = str(checkpoints)
    settings.TONGXIN_AUDIT_CHECKPOINT_FILE = checkpoints
    keyring.reload()


def load_pilot() -> None:
    start, cpu = time.perf_counter(), time.process_time()
    call_command("seed_demo", "--profile", "panjin-2021", stdout=io.StringIO())
    print(
        f"Pilot profile loaded (seed_demo --profile panjin-2021, {connection.vendor}): "
        f"{time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU"
    )


def whole_process() -> None:
    """The command as the bureau runs it, against `check` in the same run (A B A B ...)."""
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    with tempfile.TemporaryDirectory() as archive:
        env = {**os.environ, "DATABASE_URL": _database_url(), "TONGXIN_REPORT_DIR": archive}
        report = [*manage, "monthly_report", "--month", "2021-08", "--output"]
        report.append(str(Path(archive) / "report.pdf"))
        check = [*manage, "check"]
        _run(report, env), _run(check, env)  # warm-up: file caches, compiled bytecode
        pairs = [(_run(report, env), _run(check, env)) for _ in range(RUNS)]
    for index, label in ((0, "wall"), (1, "CPU")):
        a = statistics.median(r[index] for r, _c in pairs)
        b = statistics.median(c[index] for _r, c in pairs)
        ratio = statistics.median(r[index] / c[index] for r, c in pairs)
        print(
            f"monthly_report --month 2021-08: median {a:.2f} s {label}; check {b:.2f} s; "
            f"ratio {ratio:.2f}; generation without start-up {a - b:.2f} s ({RUNS} pairs)"
        )


def stages() -> None:
    """Where one generation's time goes, in a process that has not rendered a PDF yet."""
    offices = pages.selected_offices()
    timings: dict[str, float] = {}

    def timed(label, work):
        start = time.process_time()
        result = work()
        timings[label] = timings.get(label, 0.0) + time.process_time() - start
        return result

    original_finish = Publication.finish

    def finish(publication):
        return timed("suppression", lambda: original_finish(publication))

    with translation.override("zh-hans"):
        timed("counting (queries)", lambda: rollup.counts([o.id for o in offices], *AUGUST.key))
        with patch.object(Publication, "finish", finish):
            page = timed("page: counts, tables, suppression", lambda: pages.build(offices, AUGUST))
        issue = pdf.Issue(number="bench", issuer_name="bench", archive_url="https://x/")
        context = timed("charts and context", lambda: pdf.report_context(page, issue))
        html = timed("template", lambda: render_to_string("reports/report_pdf.html", context))
    html = pdf._BETWEEN_BLOCKS.sub(r"\1", html)
    options = {"pdf_variant": pdf.PDF_VARIANT, "pdf_tags": True}
    with cycle_collector_paused():  # as pdf.render_pdf runs them
        weasyprint, fetcher = timed("importing WeasyPrint", pdf._weasyprint)
        laid_out = timed(
            "layout (WeasyPrint)",
            lambda: weasyprint.HTML(
                string=html, base_url=pdf.STATIC_BASE, url_fetcher=fetcher(fail_on_errors=True)
            ).render(font_config=pdf._font_config(), **options),
        )
        timed("PDF/A writing (WeasyPrint)", lambda: laid_out.write_pdf(**options))
    user = User.objects.get(username="minzheng")
    with tempfile.TemporaryDirectory() as archive, override_settings(REPORT_ARCHIVE_DIR=archive):
        made = timed(
            "a second report in the same process (WeasyPrint loaded), archived",
            lambda: services.make_report(period=AUGUST, offices=[], confirmed_by=user),
        )
        path = services.report_path(made)
        assert path is not None, "the report was not archived"
        timed("archive: checksum of the file", lambda: services.sha256_of(path))
    counting = timings.pop("counting (queries)")
    suppression = timings.pop("suppression")
    print(f"  counting (queries): {counting * 1000:.0f} ms CPU")
    print(f"  suppression (of which, within the page): {suppression * 1000:.0f} ms CPU")
    for label, seconds in timings.items():
        print(f"  {label}: {seconds * 1000:.0f} ms CPU")
    print(f"  ({made.pages} pages, {made.size // 1024} KiB, PDF/A-2b, tagged)")


def main() -> None:
    own_key_ring()
    load_pilot()
    whole_process()
    print("Stages of one generation (CPU, one process):")
    stages()
