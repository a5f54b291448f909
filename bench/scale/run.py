"""`python -m bench scale --small URL --large URL`: the case pages at two sizes of generated
data (docs/scaling.md, 'Case pages at scale'). Not part of `make test`.

    export TONGXIN_KEY_FILE=var/load/keys.json      the ring both databases were sealed with
    .venv/bin/python -m bench scale \\
        --small postgres://.../perf_pages_10k --large postgres://.../perf_gen_1m

For each database, in a process of its own with production settings: the busiest office's
supervisor and its counsellor with the most open cases are signed in (both steps), and each
page is requested `--repeat` times through Django's test client. Prints the median and best server
time (the page's own Server-Timing `total`), database time and query count per page at each
size, and the large : small ratio of the server times (the target is under 1.5).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.load.run import ROOT, setup_django

TIMING_KEYS = ("total", "db", "queries")

# (label, URL name, query string): the same pages at both sizes.
PAGES = [
    ("today", "mediation:today", ""),
    ("my cases", "mediation:case-list", ""),
    ("office cases", "mediation:office-cases", ""),
    ("office cases, open", "mediation:office-cases", "?status=open"),
    ("office cases, page 2", "mediation:office-cases", "?page=2"),
    ("office cases, cooling-off ends in 7 days", "mediation:office-cases", "?deadline=7"),
    ("office cases, one counsellor", "mediation:office-cases", "?counselor={counselor}"),
    ("case", "mediation:case-detail", ""),
]


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench scale", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--small", help="the database URL of the smaller data set")
    parser.add_argument("--large", help="the database URL of the larger data set")
    parser.add_argument("--key-file", default=os.environ.get("TONGXIN_KEY_FILE", ""))
    parser.add_argument("--repeat", type=int, default=15, help="requests per page")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # one database, in a subprocess
    args = parser.parse_args(argv)
    if not args.key_file or not (args.measure or (args.small and args.large)):
        parser.error("give --small, --large and --key-file (or TONGXIN_KEY_FILE)")
    return args


def signed_in(user):
    """A test client signed in with both steps, as the second-factor page leaves a session."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from mediation import demo
    from mediation.models import TotpDevice

    demo.enrol_demo_account(user)
    client = Client(SERVER_NAME="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TotpDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def subjects() -> dict:
    """The busiest office and its supervisor (the office lists); the counsellor with the most
    open cases and the one of them with the most sessions (the counsellor's pages)."""
    from django.db.models import Count, Q

    from mediation.models import Case, CaseAssignment, RegistryOffice, User

    office = RegistryOffice.objects.annotate(n=Count("cases")).order_by("-n", "pk").first()
    supervisor = (
        User.objects.filter(groups__name="supervisor", memberships__office=office)
        .order_by("pk")
        .first()
    )
    busiest = (
        CaseAssignment.objects.filter(ended_at=None, case__status=Case.Status.OPEN)
        .values_list("counselor_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "counselor_id")
        .first()
    )
    if office is None or supervisor is None or busiest is None:
        raise SystemExit("No office with a supervisor and open assigned cases: generate data.")
    case = (
        Case.objects.filter(
            status=Case.Status.OPEN,
            assignments__counselor_id=busiest[0],
            assignments__ended_at=None,
        )
        .annotate(n=Count("sessions", filter=~Q(sessions__status="cancelled")))
        .order_by("-n", "pk")
        .first()
    )
    return {
        "office": office,
        "cases": Case.objects.count(),
        "office_cases": Case.objects.filter(office=office).count(),
        "supervisor": supervisor,
        "counselor": User.objects.get(pk=busiest[0]),
        "open_cases": busiest[1],
        "case": case,
    }


def measure(args: argparse.Namespace) -> dict:
    """Every page `repeat` times (after one unmeasured request) against the current database."""
    import re

    from django.urls import reverse

    found = subjects()
    clients = {
        "supervisor": signed_in(found["supervisor"]),
        "counselor": signed_in(found["counselor"]),
    }
    timing = re.compile(r'total;dur=([\d.]+), db;dur=([\d.]+);desc="(\d+) queries"')
    pages = {}
    for label, name, query in PAGES:
        kwargs = {"case_uuid": found["case"].uuid} if name == "mediation:case-detail" else {}
        url = reverse(name, kwargs=kwargs) + query.format(counselor=found["counselor"].pk)
        client = clients["supervisor" if "office" in name else "counselor"]
        samples = []
        for n in range(args.repeat + 1):
            response = client.get(url, secure=True)
            if response.status_code != 200:
                raise SystemExit(f"{label}: {url} answered {response.status_code}")
            if n:
                total, db, queries = timing.search(response["Server-Timing"]).groups()
                samples.append((float(total), float(db), int(queries)))
        columns = list(zip(*samples, strict=True))
        pages[label] = {
            key: statistics.median(column) for key, column in zip(TIMING_KEYS, columns, strict=True)
        }
        pages[label]["best"] = min(columns[0])
    return {
        "cases": found["cases"],
        "office": found["office"].code,
        "office_cases": found["office_cases"],
        "open_cases": found["open_cases"],
        "pages": pages,
    }


def run_one(url: str, args: argparse.Namespace) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "scale",
            "--measure",
            url,
            "--key-file",
            args.key_file,
            "--repeat",
            str(args.repeat),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(result.stderr or result.stdout)
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(small: dict, large: dict) -> str:
    lines = [
        f"{name}: {size['cases']:,} cases, busiest office {size['office']} with "
        f"{size['office_cases']:,}, a counsellor with {size['open_cases']} open cases"
        for name, size in (("small", small), ("large", large))
    ]
    lines += [
        f"{'page':<42}{'small':>7}{'large':>7}{'ratio':>7}{'best':>7}{'best':>7}{'ratio':>7}"
        f"{'db small':>9}{'db large':>9}{'queries':>9}",
    ]
    for label in small["pages"]:
        a, b = small["pages"][label], large["pages"][label]
        lines.append(
            f"{label:<42}{a['total']:>7.1f}{b['total']:>7.1f}{b['total'] / a['total']:>7.2f}"
            f"{a['best']:>7.1f}{b['best']:>7.1f}{b['best'] / a['best']:>7.2f}"
            f"{a['db']:>9.1f}{b['db']:>9.1f}{a['queries']:>5.0f}/{b['queries']:.0f}"
        )
    lines.append(
        "(milliseconds of the pages' Server-Timing: median and best of the requests, database "
        "median; ratio = large : small; on a shared machine the best is the steadier)"
    )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    args = arguments(argv)
    if args.measure:
        setup_django(argparse.Namespace(database_url=args.measure, key_file=args.key_file))
        print(json.dumps(measure(args)))
        return
    text = report(run_one(args.small, args), run_one(args.large, args))
    print(text)
    out = Path(ROOT) / "var" / "load"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "scale.txt", "a", encoding="utf-8") as log:
        log.write(text + "\n\n")
