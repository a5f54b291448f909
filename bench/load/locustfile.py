"""A counsellor's day under load (docs/scaling.md): signed-in counsellors of several offices go
today → a case → its session, reading the notes → write the note → book the next session into
their duty; supervisors list their office's cases. Run by `python -m bench load`, which
starts the server and writes the plan this file reads (LOAD_PLAN: accounts, their cases and
sessions, URL templates by URL name).

Each request's `Server-Timing` (total and database time, query count) is collected per page,
so server time is measured apart from this load generator, which shares the machine. The
measured window opens when every user has signed in (sign-in hashes a password on purpose,
then asks for the authenticator's code, computed here from the account's demo seed).
"""

import json
import math
import os
import re
import statistics
import time
from itertools import count
from pathlib import Path
from typing import Any, cast

import gevent
import gevent.event
import gevent.lock
from locust import HttpUser, SequentialTaskSet, constant, events, task
from locust.exception import StopUser

from mediation import totp

PLAN_FILE = Path(os.environ.get("LOAD_PLAN", "var/load/plan.json"))
# Without a plan (e.g. when a test imports this file to check its pages) nobody is started.
PLAN: dict[str, Any] = (
    json.loads(PLAN_FILE.read_text(encoding="utf-8"))
    if PLAN_FILE.exists()
    else {"counsellors": 0, "supervisors": 0, "counsellor_accounts": [], "supervisor_accounts": []}
)
THINK = float(os.environ.get("LOAD_THINK", "0"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
RESULT = os.environ.get("LOAD_RESULT", "var/load/result.json")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d*)"')
SLOT = re.compile(r'name="slot" value="([^"]+)"')
SESSION_URL = re.compile(r"/sessions/([0-9a-f-]{36})/")
FORM_ERROR = re.compile(r"(?:alert-danger|invalid-feedback)[^>]*>\s*(?:<[^>]+>\s*)*([^<]+)")
TIMING = re.compile(r'total;dur=([\d.]+), db;dur=([\d.]+);desc="(\d+) queries"')

signed_in = count(1)
ready = gevent.event.Event()
server: dict[str, list[tuple[float, float, int]]] = {}


def as_over_tls(client) -> None:
    """The server believes it is behind a TLS proxy (X-Forwarded-Proto: https), as in
    production, so its cookies are Secure; a browser sends them back over TLS, and so must
    this plain-HTTP client: it forgets the flag (call after every response)."""
    for cookie in client.cookies:
        cookie.secure = False


def url(name: str, **values: str) -> str:
    return PLAN["urls"][name].format(**values)


# Per account: the last time step whose code this load generator sent, and a lock so that
# users sharing an account send their codes in the order of their steps.
used_steps: dict[str, int] = {}
code_locks: dict[str, gevent.lock.Semaphore] = {}


def next_step(account: dict) -> int:
    """The time step of the next code the server will take for this account, as
    tests/sign_in.py picks it: this step's, or a later one when it was used (codes are single
    use; the plan gives the last step the server accepted before this run). The server takes
    up to one step ahead of its clock; when that is used too, wait for the next step."""
    username = account["username"]
    while True:
        now = totp.step_at(time.time())
        step = max(now, used_steps.get(username, account["last_step"]) + 1)
        if step <= now + totp.TOLERANCE:
            used_steps[username] = step
            return step
        gevent.sleep((now + 1) * totp.STEP_SECONDS - time.time() + 0.5)


def sign_in(client, account: dict, password: str) -> None:
    """The one place that signs in: the password, then the authenticator's code."""
    username = account["username"]
    page = client.get(url("login"), name="sign-in form")
    as_over_tls(client)
    token = CSRF.search(page.text).group(1)
    with client.post(
        url("login"),
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        name="sign-in",
        allow_redirects=False,
        catch_response=True,
    ) as response:
        if response.status_code != 302:
            response.failure(f"sign-in of {username} gave {response.status_code}")
            raise StopUser
    as_over_tls(client)
    page = client.get(url("mediation:second-factor"), name="second-factor form")
    as_over_tls(client)
    token = CSRF.search(page.text).group(1)
    with code_locks.setdefault(username, gevent.lock.Semaphore()):
        code = totp.code_at_step(account["seed"], next_step(account))
        with client.post(
            url("mediation:second-factor"),
            data={"code": code, "next": "", "csrfmiddlewaretoken": token},
            name="second factor",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                error = FORM_ERROR.search(response.text or "")
                reason = error.group(1).strip() if error else response.status_code
                response.failure(f"second factor of {username}: {reason}")
                raise StopUser
    as_over_tls(client)


class Tongxin(HttpUser):
    abstract = True
    wait_time = constant(THINK)
    accounts: list[dict] = []
    numbers = count()  # each class has its own: users take turns over the accounts
    pages: dict[str, str] = {}  # step name -> URL name (checked by tests/test_bench_load.py)

    def on_start(self) -> None:
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "Origin": f"https://{self.host.split('://', 1)[-1]}",
                "Accept-Language": "zh-hans",
            }
        )
        self.number = next(type(self).numbers)
        self.account = self.accounts[self.number % len(self.accounts)]
        # Users sharing an account (more users than accounts) keep to their own lane of its
        # cases and slots, as two tablets of one counsellor would not book the same hour.
        self.lane = self.number // len(self.accounts)
        self.lanes = max(1, math.ceil(self.fixed_count / len(self.accounts)))
        sign_in(self.client, self.account, PLAN["password"])
        if next(signed_in) == PLAN["users"]:
            start_measuring(self.environment)
        ready.wait()

    def get(self, step: str, query: str = "", name: str = "", **values: str):
        response = self.client.get(url(self.pages[step], **values) + query, name=name or step)
        as_over_tls(self.client)
        return response

    def post(self, step: str, data: dict, referer: str, **values: str):
        target = url(self.pages[step], **values)
        with self.client.post(
            target,
            data=data,
            name=step,
            headers={"Referer": f"https://{self.host.split('://', 1)[-1]}{referer}"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                error = FORM_ERROR.search(response.text or "")
                reason = error.group(1).strip() if error else "no redirect"
                response.failure(f"{step}: {response.status_code} {reason}")
        as_over_tls(self.client)
        return response


class CounsellorDay(SequentialTaskSet):
    @property
    def counsellor(self) -> "Counsellor":
        return cast("Counsellor", self.user)

    @task
    def day(self) -> None:
        user = self.counsellor
        user.get("today")
        cases = user.account["cases"]
        case = cases[(next(user.turn) * user.lanes + user.lane) % len(cases)]
        user.get("case", case_uuid=case["uuid"])
        sessions = case["sessions"]
        session = sessions[user.lane % len(sessions)] if sessions else user.booked.get(case["uuid"])
        if session:
            user.get("session", case_uuid=case["uuid"], session_uuid=session)
            self.write_note(case["uuid"], session)
        self.book(case["uuid"])

    def write_note(self, case_uuid: str, session: str) -> None:
        user = self.counsellor
        form = user.get("note form", case_uuid=case_uuid, session_uuid=session)
        token, version = CSRF.search(form.text), VERSION.search(form.text)
        if token is None or version is None:
            return  # a signed note is locked: the form redirects to the session instead
        user.post(
            "note save",
            {
                "csrfmiddlewaretoken": token.group(1),
                "version": version.group(1),
                "body": f"压测笔记：第{next(user.turn)}次保存。双方情绪平稳，约定下次面谈。",
                "assessment": "继续面谈。",
            },
            url(user.pages["note form"], case_uuid=case_uuid, session_uuid=session),
            case_uuid=case_uuid,
            session_uuid=session,
        )

    def book(self, case_uuid: str) -> None:
        user = self.counsellor
        form = user.get("book form", case_uuid=case_uuid)
        token, slots = CSRF.search(form.text), SLOT.findall(form.text)
        if token is None or len(slots) <= user.lane:
            return  # no free duty slot in the next fortnight
        response = user.post(
            "book save",
            {
                "csrfmiddlewaretoken": token.group(1),
                "slot": slots[user.lane],
                "kind": "joint",
                "room": f"{PLAN['room_prefix']}{user.number}",
            },
            url(user.pages["book form"], case_uuid=case_uuid),
            case_uuid=case_uuid,
        )
        booked = SESSION_URL.search(response.headers.get("Location", ""))
        if booked:
            user.booked[case_uuid] = booked.group(1)


class Counsellor(Tongxin):
    fixed_count = int(PLAN["counsellors"])
    accounts = PLAN["counsellor_accounts"]
    numbers = count()
    tasks = [CounsellorDay]
    pages = {
        "today": "mediation:today",
        "case": "mediation:case-detail",
        "session": "mediation:session-detail",
        "note form": "mediation:note-edit",
        "note save": "mediation:note-edit",
        "book form": "counselors:case-book",
        "book save": "counselors:case-book",
    }

    def on_start(self) -> None:
        self.turn = count()
        self.booked: dict[str, str] = {}
        super().on_start()


class Supervisor(Tongxin):
    fixed_count = int(PLAN["supervisors"])
    accounts = PLAN["supervisor_accounts"]
    numbers = count()
    pages = {"office cases": "mediation:office-cases"}

    @task
    def office_cases(self) -> None:
        self.get("office cases")
        self.get("office cases", "?status=all", name="office cases (every status)")
        self.get("office cases", "?status=all&page=2", name="office cases p2 (every status)")


def start_measuring(environment) -> None:
    """Everyone is in: forget the sign-in phase, measure for LOAD_SECONDS, then stop."""
    environment.runner.stats.reset_all()
    server.clear()
    environment.measure_started = time.time()
    ready.set()
    gevent.spawn_later(SECONDS, environment.runner.quit)


@events.request.add_listener
def collect_server_timing(name, response, exception, **kwargs) -> None:
    if not ready.is_set() or response is None:
        return
    match = TIMING.search(response.headers.get("Server-Timing", ""))
    if match:
        total, db, queries = match.groups()
        server.setdefault(name, []).append((float(total), float(db), int(queries)))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))]


@events.quitting.add_listener
def write_result(environment, **kwargs) -> None:
    stats = environment.runner.stats
    seconds = time.time() - getattr(environment, "measure_started", time.time())
    pages = {}
    for (name, method), entry in sorted(stats.entries.items()):
        timings = server.get(name, [])
        totals = [t for t, _, _ in timings]
        pages[f"{method} {name}"] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.num_requests / seconds if seconds else 0.0,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
            "max": entry.max_response_time,
            "server_p50": percentile(totals, 0.5),
            "server_p95": percentile(totals, 0.95),
            "server_p99": percentile(totals, 0.99),
            "db_p95": percentile([d for _, d, _ in timings], 0.95),
            "queries": statistics.median([q for _, _, q in timings]) if timings else 0,
        }
    total = stats.total
    result = {
        "seconds": seconds,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": total.num_requests / seconds if seconds else 0.0,
        "errors": [
            {"name": error.name, "error": str(error.error), "count": error.occurrences}
            for error in stats.errors.values()
        ],
        "pages": pages,
    }
    with open(RESULT, "w", encoding="utf-8") as out:
        json.dump(result, out, ensure_ascii=False, indent=2)
