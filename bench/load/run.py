"""`python -m bench load`: a counsellor's day under load, against gunicorn on a database that
`manage.py generate` filled (docs/scaling.md). Not part of `make test`.

    export DATABASE_URL=postgres://...             the generated database
    export TONGXIN_KEY_FILE=var/load/keys.json     the ring it was sealed with (not development)
    .venv/bin/python -m bench load --users 20 --seconds 60 --workers 2

Plans who does what (accounts of several offices, their open cases and sessions), cancels the
sessions earlier runs booked, starts gunicorn as in production (DEBUG off, behind a TLS proxy
as far as the app can tell), runs locust headless, stops the server and prints throughput,
p50/p95/p99 per page as the load generator saw them, errors, and the server's own time per page
from its Server-Timing header.
"""

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "load"


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--key-file", default=os.environ.get("TONGXIN_KEY_FILE", ""))
    parser.add_argument("--users", type=int, default=20, help="signed-in counsellors")
    parser.add_argument("--supervisors", type=int, default=2, help="signed-in supervisors")
    parser.add_argument("--seconds", type=float, default=60, help="measured time")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--think", type=float, default=0, help="seconds between a user's days")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--label", default="", help="a name for this run in the result file")
    args = parser.parse_args(argv)
    if not args.database_url or not args.key_file:
        parser.error("set DATABASE_URL and TONGXIN_KEY_FILE (or --database-url, --key-file)")
    return args


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    """Production settings, as README's production section has them, on plain local HTTP."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "TONGXIN_KEY_FILE": str(Path(args.key_file).resolve()),
        "TONGXIN_ENV_FILE": str(OUT / "no.env"),  # never the development var/.env
        "TONGXIN_PLAIN_STATIC": "1",  # pages only: no collectstatic manifest needed
    }


def setup_django(args: argparse.Namespace, settings: str = "config.settings") -> None:
    for key, value in server_environment(args).items():
        os.environ[key] = value
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    django.setup()


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"The server did not answer at {url}.")


def run(args: argparse.Namespace, the_plan: dict) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    plan_file, result_file = OUT / "plan.json", OUT / "result.json"
    plan_file.write_text(json.dumps(the_plan, ensure_ascii=False), encoding="utf-8")
    result_file.unlink(missing_ok=True)
    venv = Path(sys.executable).parent
    host = f"127.0.0.1:{args.port}"
    gunicorn = subprocess.Popen(
        [
            str(venv / "gunicorn"),
            "config.wsgi",
            "--bind",
            host,
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=server_environment(args),
    )
    try:
        wait_for(f"http://{host}/login/")
        users = the_plan["users"]
        subprocess.run(
            [
                str(venv / "locust"),
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--host",
                f"http://{host}",
                "--run-time",
                f"{int(args.seconds + 30 + users * 2)}s",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "LOAD_PLAN": str(plan_file),
                "LOAD_RESULT": str(result_file),
                "LOAD_SECONDS": str(args.seconds),
                "LOAD_THINK": str(args.think),
            },
            check=False,
            stdout=subprocess.DEVNULL,
        )
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    if not result_file.exists():
        raise SystemExit("locust wrote no result (see its output above).")
    return json.loads(result_file.read_text(encoding="utf-8"))


def report(args: argparse.Namespace, the_plan: dict, result: dict, engine: str) -> str:
    lines = [
        f"{args.label or 'load'}: {engine}, gunicorn -w {args.workers}, "
        f"{args.users} counsellors ({len(the_plan['counsellor_accounts'])} accounts, "
        f"{the_plan['offices']} offices) + {args.supervisors} supervisors, think {args.think:g} s, "
        f"{result['seconds']:.0f} s measured",
        f"throughput {result['rps']:.1f} requests/s, {result['requests']} requests, "
        f"{result['failures']} errors",
        f"{'page':<26}{'req':>6}{'req/s':>7}{'p50':>7}{'p95':>7}{'p99':>7}"
        f"{'srv p50':>9}{'srv p95':>9}{'srv p99':>9}{'db p95':>8}{'queries':>8}",
    ]
    for name, page in result["pages"].items():
        if not page["requests"]:
            continue  # sign-in happens before the measured window
        lines.append(
            f"{name:<26}{page['requests']:>6}{page['rps']:>7.1f}{page['p50']:>7.0f}"
            f"{page['p95']:>7.0f}{page['p99']:>7.0f}{page['server_p50']:>9.1f}"
            f"{page['server_p95']:>9.1f}{page['server_p99']:>9.1f}{page['db_p95']:>8.1f}"
            f"{page['queries']:>8.0f}"
        )
    lines.append("(milliseconds; p50-p99 as the load generator saw them, srv from Server-Timing)")
    for error in result["errors"]:
        lines.append(f"error: {error['count']} x {error['name']}: {error['error']}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    args = arguments(argv)
    setup_django(args)
    # The models and URLs are read once Django is set up with the generated database's settings.
    from bench.load import planning  # noqa: PLC0415

    planning.refuse_development_ring()
    engine = planning.engine()
    cancelled = planning.cancel_load_sessions()
    the_plan = planning.plan(args.users, args.supervisors)
    planning.close()
    print(
        f"Plan: {len(the_plan['counsellor_accounts'])} counsellor accounts at "
        f"{the_plan['offices']} offices; {cancelled} earlier load-test bookings cancelled."
    )
    result = run(args, the_plan)
    text = report(args, the_plan, result, engine)
    print(text)
    with open(OUT / "runs.txt", "a", encoding="utf-8") as log:
        log.write(time.strftime("%Y-%m-%d %H:%M ") + text + "\n\n")
    planning.cancel_load_sessions()
