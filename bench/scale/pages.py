"""The scale bench's Django side (bench/scale/run.py imports it in the measuring process, once
Django is set up with that database's settings): sign in the busiest office's supervisor and
counsellor, and time each page from its Server-Timing header."""

import re
import statistics

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from mediation import demo
from mediation.models import Case, CaseAssignment, RegistryOffice, TotpDevice, User

TIMING_KEYS = ("total", "db", "queries")

# (label, URL name, query string): the same pages at both sizes.
PAGES = [
    ("today", "mediation:today", ""),
    ("my cases", "mediation:case-list", ""),
    ("office cases", "mediation:office-cases", ""),
    ("office cases, open", "mediation:office-cases", "?status=open"),
    ("office cases, every status, page 2", "mediation:office-cases", "?status=all&page=2"),
    ("office cases, closed, page 2", "mediation:office-cases", "?status=closed&page=2"),
    ("office cases, cooling-off ends in 7 days", "mediation:office-cases", "?deadline=7"),
    (
        "office cases, one counsellor, every status",
        "mediation:office-cases",
        "?status=all&counselor={counselor}",
    ),
    ("case", "mediation:case-detail", ""),
]

# (the page above it stands for, query string): the same office lists in the admin changelist
# (bench/scale/admin_urls.py), filtered to the busiest office as the supervisor's lists are.
ADMIN_PAGES = [
    ("office cases", "?office__id__exact={office}&status__exact=open"),
    ("office cases, every status, page 2", "?office__id__exact={office}&p=2"),
    ("office cases, closed, page 2", "?office__id__exact={office}&status__exact=closed&p=2"),
]
TIMING = re.compile(r'total;dur=([\d.]+), db;dur=([\d.]+);desc="(\d+) queries"')


def signed_in(user):
    """A test client signed in with both steps, as the second-factor page leaves a session."""

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


def timed(client: Client, url: str, repeat: int) -> dict:
    """The page `repeat` times after one unmeasured request: median server time, database time
    and queries from its Server-Timing header, and the best server time."""

    samples = []
    for n in range(repeat + 1):
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        if n:
            total, db, queries = TIMING.search(response["Server-Timing"]).groups()
            samples.append((float(total), float(db), int(queries)))
    columns = list(zip(*samples, strict=True))
    result = {
        key: statistics.median(column) for key, column in zip(TIMING_KEYS, columns, strict=True)
    }
    result["best"] = min(columns[0])
    return result


def admin_changelists(supervisor: User, office: RegistryOffice, repeat: int) -> dict:
    """The office lists in the admin changelist, signed in as the same supervisor given staff
    status and the permission to view cases for the measurement only: rolled back after it."""

    with transaction.atomic():
        User.objects.filter(pk=supervisor.pk).update(is_staff=True)
        supervisor.user_permissions.add(
            Permission.objects.get(content_type__app_label="mediation", codename="view_case")
        )
        client = signed_in(supervisor)
        pages = {
            label: timed(
                client, "/django-admin/mediation/case/" + query.format(office=office.pk), repeat
            )
            for label, query in ADMIN_PAGES
        }
        transaction.set_rollback(True)
    return pages


def measure(repeat: int) -> dict:
    """Every page `repeat` times (after one unmeasured request) against the current database,
    then the office lists in the admin changelist."""

    found = subjects()
    clients = {
        "supervisor": signed_in(found["supervisor"]),
        "counselor": signed_in(found["counselor"]),
    }
    pages = {}
    for label, name, query in PAGES:
        kwargs = {"case_uuid": found["case"].uuid} if name == "mediation:case-detail" else {}
        url = reverse(name, kwargs=kwargs) + query.format(counselor=found["counselor"].pk)
        client = clients["supervisor" if "office" in name else "counselor"]
        pages[label] = timed(client, url, repeat)
    return {
        "cases": found["cases"],
        "office": found["office"].code,
        "office_cases": found["office_cases"],
        "open_cases": found["open_cases"],
        "pages": pages,
        "admin": admin_changelists(found["supervisor"], found["office"], repeat),
    }
