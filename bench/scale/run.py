"""`python -m bench scale --small URL --large URL`: the case pages at two sizes of generated
data (docs/scaling.md, 'Case pages at scale'). Not part of `make test`.

    export TONGXIN_KEY_FILE=var/load/keys.json      the ring both databases were sealed with
    .venv/bin/python -m bench scale \\
        --small postgres://.../perf_pages_10k --large postgres://.../perf_gen_1m

For each database, in a process of its own with production settings: the busiest office's
supervisor and its counsellor with the most open cases are signed in (both steps), and each
page is requested `--repeat` times through Django's test client. Prints the median and best server
time (the page's own Server-Timing `total`), database time and query count per page at each
size, and the large : small ratio of the server times (the target is under 1.5). Then the same
office lists in a plain Django admin changelist on the same data (bench/scale/admin_urls.py), the
baseline the pages must beat, and how many times the admin's time each page's is.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from bench.load.run import ROOT, setup_django


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench scale", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--small", help="the database URL of the smaller data set")
    parser.add_argument("--large", help="the database URL of the larger data set")
    parser.add_argument("--key-file", default=os.environ.get("TONGXIN_KEY_FILE", ""))
    parser.add_argument("--repeat", type=int, default=15, help="requests per page")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # one database, in a subprocess
    parser.add_argument("--explain", help="a database URL: EXPLAIN ANALYZE its pages' queries")
    parser.add_argument("--slower-than", type=float, default=2.0, help="ms (with --explain)")
    parser.add_argument("--page", default="", help="only this page (with --explain)")
    args = parser.parse_args(argv)
    if not args.key_file or not (args.measure or args.explain or (args.small and args.large)):
        parser.error("give --small, --large and --key-file (or TONGXIN_KEY_FILE)")
    return args


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
    lines += [
        "",
        f"{'the same list in the Django admin':<42}{'small':>7}{'large':>7}"
        f"{'ratio':>7}{'admin/ours small':>18}{'large':>7}{'queries':>9}",
    ]
    for label in small["admin"]:
        a, b = small["admin"][label], large["admin"][label]
        ours_a, ours_b = small["pages"][label], large["pages"][label]
        lines.append(
            f"{label:<42}{a['total']:>7.1f}{b['total']:>7.1f}{b['total'] / a['total']:>7.2f}"
            f"{a['total'] / ours_a['total']:>18.2f}{b['total'] / ours_b['total']:>7.2f}"
            f"{a['queries']:>5.0f}/{b['queries']:.0f}"
        )
    lines.append("(median server time in ms; admin/ours > 1: the admin is slower than the page)")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    args = arguments(argv)
    if args.measure:
        setup_django(
            argparse.Namespace(database_url=args.measure, key_file=args.key_file),
            settings="bench.scale.admin_settings",
        )
        # The models and URLs are read once Django is set up with that database's settings.
        from bench.scale import pages  # noqa: PLC0415

        print(json.dumps(pages.measure(args.repeat)))
        return
    if args.explain:
        setup_django(argparse.Namespace(database_url=args.explain, key_file=args.key_file))
        from bench.scale import explain  # noqa: PLC0415

        print(explain.explain(args.slower_than, args.page))
        return
    text = report(run_one(args.small, args), run_one(args.large, args))
    print(text)
    out = Path(ROOT) / "var" / "load"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "scale.txt", "a", encoding="utf-8") as log:
        log.write(text + "\n\n")
