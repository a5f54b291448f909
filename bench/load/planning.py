"""The load test's Django side (bench/load/run.py imports it once Django is set up with the
generated database's settings): who does what, the paths the locustfile fills in, and the
earlier runs' bookings to cancel."""

import sys
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from counselors.models import Duty
from mediation import demo, keyring, services
from mediation.models import (
    CancelReason,
    Case,
    CaseAssignment,
    CounselingSession,
    SessionNote,
    TotpDevice,
    User,
)

ROOM_PREFIX = "压测"
# The pages the locustfile visits, by URL name, with the values their paths take.
URLS = {
    "login": (),
    "mediation:second-factor": (),
    "mediation:today": (),
    "mediation:case-detail": ("case_uuid",),
    "mediation:session-detail": ("case_uuid", "session_uuid"),
    "mediation:note-edit": ("case_uuid", "session_uuid"),
    "counselors:case-book": ("case_uuid",),
    "mediation:office-cases": (),
}

# Workable cases per counsellor: (case id, case uuid), and the office they work them at.
Workable = tuple[dict[int, list[tuple[int, str]]], dict[int, int]]


def refuse_development_ring() -> None:
    if keyring.ring().development:
        sys.exit(
            "The server runs as in production, which refuses a development key ring: make one "
            "with `manage.py keys generate --output var/load/keys.json` and generate the data "
            "with TONGXIN_KEY_FILE pointing at it."
        )


def engine() -> str:
    return connection.vendor


def close() -> None:
    """The plan is made; the server and the load generator open their own connections."""
    connection.close()


def plan(users: int, supervisors: int) -> dict:
    """Accounts of several offices, each with open cases they can work: both parties consented
    (sensitive information too), joint sessions allowed, duty at the office in the next
    fortnight; with the sessions whose note they may still write."""
    by_user, office_of = workable_cases()
    chosen = choose(by_user, office_of, users)
    if not chosen:
        sys.exit("No counsellor has an open case to work and duty to book into: generate data.")
    offices = {office_of[user_id] for user_id in chosen}
    supervisor_names = list(
        User.objects.filter(
            groups__name="supervisor", memberships__office_id__in=offices, is_active=True
        )
        .distinct()
        .order_by("username")
        .values_list("username", flat=True)
    )
    if supervisors and not supervisor_names:
        sys.exit("The planned offices have no supervisor account.")
    return {
        "password": settings.TONGXIN_DEMO_PASSWORD,
        "users": users + supervisors,
        "counsellors": users,
        "supervisors": supervisors,
        "counsellor_accounts": counsellor_accounts(chosen, by_user),
        "supervisor_accounts": [authenticator(name) for name in supervisor_names],
        "offices": len(offices),
        "room_prefix": ROOM_PREFIX,
        "urls": url_templates(),
    }


def workable_cases() -> Workable:
    """Open cases both parties consented to, joint sessions allowed, assigned to a counsellor
    with duty at the case's office in the next fortnight."""
    today = timezone.localdate()
    on_duty = set(
        Duty.objects.published()
        .filter(day__gte=today, day__lte=today + timedelta(days=13))
        .values_list("counselor__user_id", "office_id")
    )
    workable = (
        Case.objects.filter(status=Case.Status.OPEN, joint_sessions_blocked=False)
        .annotate(
            ready=Count(
                "parties",
                filter=Q(parties__consent_counselling=True, parties__consent_sensitive=True),
            )
        )
        .filter(ready=2)
    )
    assigned = CaseAssignment.objects.filter(ended_at=None, case__in=workable).values_list(
        "counselor_id", "case_id", "case__uuid", "case__office_id"
    )
    by_user: dict[int, list[tuple[int, str]]] = {}
    office_of: dict[int, int] = {}
    for user_id, case_id, case_uuid, office_id in assigned:
        if (user_id, office_id) in on_duty:
            by_user.setdefault(user_id, []).append((case_id, str(case_uuid)))
            office_of.setdefault(user_id, office_id)
    return by_user, office_of


def choose(
    by_user: dict[int, list[tuple[int, str]]], office_of: dict[int, int], users: int
) -> list[int]:
    """Several offices: the counsellors with the most cases first, office by office, in turn."""
    per_office: dict[int, list[int]] = {}
    for user_id in sorted(by_user, key=lambda u: -len(by_user[u])):
        per_office.setdefault(office_of[user_id], []).append(user_id)
    chosen: list[int] = []
    while len(chosen) < users and any(per_office.values()):
        for waiting in per_office.values():
            if waiting and len(chosen) < users:
                chosen.append(waiting.pop(0))
    return chosen


def counsellor_accounts(chosen: list[int], by_user: dict[int, list[tuple[int, str]]]) -> list:
    """Each chosen counsellor's authenticator and up to 20 cases with the sessions whose note
    they may still write."""
    signed = set(
        SessionNote.objects.filter(status=SessionNote.Status.SIGNED).values_list(
            "session_id", "author_id"
        )
    )
    names = dict(User.objects.filter(pk__in=chosen).values_list("pk", "username"))
    accounts = []
    for user_id in chosen:
        cases = []
        for case_id, case_key in by_user[user_id][:20]:
            sessions = [
                str(uuid)
                for pk, uuid in CounselingSession.objects.filter(
                    case_id=case_id, lead_counselor_id=user_id, status__in=["booked", "held"]
                ).values_list("pk", "uuid")
                if (pk, user_id) not in signed
            ]
            cases.append({"uuid": case_key, "sessions": sessions})
        accounts.append({**authenticator(names[user_id]), "cases": cases})
    return accounts


def authenticator(username: str) -> dict:
    """An account with what its authenticator app knows: the demo seed of its name (generated
    accounts are enrolled with it; one generated before sign-in had a second step is enrolled
    now) and the last time step the server accepted, so the run sends only later codes."""
    user = User.objects.get(username=username)
    seed = demo.enrol_demo_account(user)
    device = TotpDevice.objects.get(user=user)
    return {"username": username, "seed": seed, "last_step": device.last_step}


def url_templates() -> dict[str, str]:
    """Paths by URL name, with {case_uuid}-style holes for the locustfile to fill."""
    templates = {}
    for name, keys in URLS.items():
        values = {key: f"00000000-0000-0000-0000-{n:012d}" for n, key in enumerate(keys)}
        path = reverse(name, kwargs=values)
        for key, value in values.items():
            path = path.replace(value, "{" + key + "}")
        templates[name] = path
    return templates


def cancel_load_sessions() -> int:
    """Earlier runs' bookings (their room names start with ROOM_PREFIX) are cancelled through
    the service, so each run finds the same free duty slots."""
    booked = CounselingSession.objects.filter(
        status=CounselingSession.Status.BOOKED,
        room__startswith=ROOM_PREFIX,
        starts_at__gte=timezone.now(),
    ).select_related("booked_by")
    cancelled = 0
    for session in booked:
        services.cancel_session(
            session=session, cancelled_by=session.booked_by, reason=CancelReason.OTHER
        )
        cancelled += 1
    return cancelled
