"""The access matrix: every URL pattern of the project (walked from the URLconf, re_path
included) × every role × own office / other office / no object, against the expected status
written once in tests/access_matrix.txt. A new page without rows there fails this test.

"own" and "other" mean, by the kind of record a route names: a case, its sessions, notes,
parties and follow-ups at XLT assigned to the counsellor (supervised by the supervisor) or one
at PS; the office XLT or PS; the counsellor's own duty, swap, leave, qualification, profile and
calendar feed or a PS colleague's; for an account, the signed-in user's own or another's. Rosters,
calendar years, monthly reports and export formats are city-wide: "-". Each request runs in a
transaction rolled back afterwards, so no row depends on another.
"""

import io
from base64 import b64encode
from datetime import date, datetime
from http import HTTPStatus
from http.cookies import SimpleCookie
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from counselors.models import Duty, HalfDay, Roster, SwapRequest, Unavailability
from counselors.services import feed_tokens
from mediation import services
from mediation.models import FollowUp, Room
from mediation.registry_file import EventKind, EventRow
from mediation.roles import Role
from mediation.services import api_clients, registry_events, registry_uploads
from reports import periods
from reports import services as report_services
from reports.models import MonthlyReport
from tests.counselors.conftest import make_profile
from tests.factories import held_session_with_note, make_user, office, open_divorce_case
from tests.sign_in import TongxinClient, enrol

MATRIX = settings.BASE_DIR / "tests" / "access_matrix.txt"
ROLES = (
    "anonymous",
    "counselor",
    "supervisor",
    "civil_affairs",
    "womens_federation",
    "sysadmin",
    "secadmin",
    "auditadmin",
)
# Parameters that name a record someone owns (own/other), and city-wide ones ("-").
OWNED = {
    "case_uuid",
    "session_uuid",
    "note_uuid",
    "position",
    "follow_up_id",
    "code",
    "user_id",
    "row_id",
    "duty_id",
    "swap_id",
    "token",
    "profile_id",
    "qualification_id",
    "upload_uuid",
    "event_uuid",
    "application_uuid",
    "room_id",
    "signature_uuid",
    "attachment_uuid",
    "referral_id",
    "purpose",
    "party_uuid",
}
CITY_WIDE = {
    "year",
    "roster_id",
    "report_id",
    "fmt",
    "client_uuid",
    "backend",
    "secret",
    "kind",
    "document",
    "section",
}
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry


def parameters(pattern: URLPattern) -> set[str]:
    """Named parameters of a path() or re_path() pattern."""
    names = set(pattern.pattern.regex.groupindex)
    return names - set(pattern.default_args)


ROUTES = {name: parameters(pattern) for name, pattern in walk(get_resolver().url_patterns)}


def scopes_of(name: str) -> set[str]:
    params = ROUTES[name]
    unknown = params - OWNED - CITY_WIDE
    assert not unknown, f"{name}: say in this module whether {unknown} is owned or city-wide"
    return {"own", "other"} if params & OWNED else {"-"}


def read_matrix() -> dict[tuple[str, str, str], dict[str, int]]:
    rows = {}
    for number, line in enumerate(MATRIX.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, method, scope, *statuses = line.split()
        assert len(statuses) == len(ROLES), f"line {number}: {len(ROLES)} statuses, one a role"
        assert (name, method, scope) not in rows, f"line {number}: repeated row"
        rows[(name, method, scope)] = dict(zip(ROLES, map(int, statuses), strict=True))
    return rows


EXPECTED = read_matrix()


def test_every_route_has_its_rows_and_no_row_names_a_route_that_is_gone():
    missing = [
        f"{name} GET {scope}"
        for name in ROUTES
        for scope in sorted(scopes_of(name))
        if (name, "GET", scope) not in EXPECTED
    ]
    stale = [key for key in EXPECTED if key[0] not in ROUTES or key[2] not in scopes_of(key[0])]

    assert missing == [], "add these rows to tests/access_matrix.txt"
    assert stale == []
    assert {method for _, method, _ in EXPECTED} == {"GET", "POST"}


def test_the_matrix_walks_re_path_routes_too():
    assert ROUTES["reports:dashboard-export"] == {"fmt"}
    assert ("reports:dashboard-export", "GET", "-") in EXPECTED


@pytest.fixture
def world(db, settings, tmp_path):
    """Two of everything: XLT's (own) and PS's (other)."""
    settings.REPORT_ARCHIVE_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield _build_world()


def _archived_report(made_by) -> MonthlyReport:
    """A monthly report as if rendered: a file in the archive with its recorded checksum."""
    report = report_services.request_report(
        period=periods.month(date(2026, 10, 1)), offices=[], made_by=made_by
    )
    path = report_services.archive_dir() / "matrix.pdf"
    path.write_bytes(b"%PDF-1.7\n% access matrix\n")
    MonthlyReport.objects.filter(pk=report.pk).update(
        status=MonthlyReport.Status.DONE,
        file_path=path.name,
        sha256=report_services.sha256_of(path),
    )
    return report


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _build_world() -> dict:
    xlt, ps = office("XLT"), office("PS")
    civil = make_user(Role.CIVIL_AFFAIRS, username="mz")
    users = {
        "counselor": make_user(Role.COUNSELOR, xlt, username="c_xlt"),
        "supervisor": make_user(Role.SUPERVISOR, xlt, username="s_xlt"),
        "civil_affairs": civil,
        "womens_federation": make_user(Role.WOMENS_FEDERATION, username="fl"),
        "sysadmin": make_user(Role.SYSADMIN, username="sys"),
        "secadmin": make_user(Role.SECADMIN, username="sec"),
        "auditadmin": make_user(Role.AUDITADMIN, username="aud"),
    }
    other = make_user(Role.COUNSELOR, ps, username="c_ps")
    colleague = make_user(Role.COUNSELOR, ps, username="c_ps2")
    for user in [*users.values(), other, colleague]:
        enrol(user)
    objects: dict[str, dict] = {"own": {}, "other": {}}
    roster = Roster.objects.create(
        city="盘锦市",
        month=date(2026, 12, 1),
        status=Roster.Status.PUBLISHED,
        solver_status=Roster.Solver.OPTIMAL,
        requested_by=civil,
        published_by=civil,
        published_at=timezone.now(),
    )
    colleague_profile = make_profile(colleague, ps)
    for scope, counselor, place in (("own", users["counselor"], xlt), ("other", other, ps)):
        case = open_divorce_case(place, counselor)
        session, note = held_session_with_note(case, counselor)
        party = case.parties.get(position=1)
        follow_up = FollowUp.objects.create(
            case=case, party=party, months=3, due_on=date(2027, 2, 1)
        )
        referral = services.refer(
            case=case,
            destination="legal_aid",
            reason="示例原因",
            referred_on=date(2026, 11, 19),
            referred_by=counselor,
        )
        attachment = services.attach_file(
            case=case, data=png(), filename="回函.png", kind="other", uploaded_by=counselor
        )
        signature = services.record_signature(
            party=party,
            image="data:image/png;base64," + b64encode(png()).decode(),
            recorded_by=counselor,
        )
        profile = make_profile(counselor, place)
        duty = Duty.objects.create(
            roster=roster,
            counselor=profile,
            office=place,
            day=date(2026, 12, 1),
            half_day=HalfDay.AM,
        )
        swap = SwapRequest.objects.create(
            duty=duty,
            requested_by=profile,
            colleague=profile if scope == "other" else colleague_profile,
        )
        registry = _registry(place, users["supervisor"] if scope == "own" else other)
        leave = Unavailability.objects.create(
            counselor=profile,
            kind=Unavailability.Kind.LEAVE,
            start=date(2026, 12, 7),
            end=date(2026, 12, 8),
            entered_by=counselor,
        )
        objects[scope] = {
            "case_uuid": case.uuid,
            "session_uuid": session.uuid,
            "note_uuid": note.uuid,
            "position": 1,
            "follow_up_id": follow_up.pk,
            "code": place.code,
            "user_id": None if scope == "own" else other.pk,
            "row_id": leave.pk,
            "duty_id": duty.pk,
            "swap_id": swap.pk,
            "token": feed_tokens.feed_token(profile),
            "profile_id": profile.pk,
            "qualification_id": profile.qualifications.first().pk,
            **registry,
            "room_id": Room.objects.filter(office=place).earliest("pk").pk,
            "signature_uuid": signature.uuid,
            "attachment_uuid": attachment.uuid,
            "referral_id": referral.pk,
            "purpose": "counselling",
            "party_uuid": case.parties.get(position=1).uuid,
        }
    report = _archived_report(civil)
    client = api_clients.create_client(
        name="matrix", offices=[xlt], scopes=["roster"], created_by=users["sysadmin"]
    ).client
    city_wide = {
        "year": 2026,
        "roster_id": roster.pk,
        "report_id": report.uuid,
        "fmt": "csv",
        "client_uuid": client.uuid,
        "backend": "file",
        "secret": "not-the-secret",
        "kind": "replies",
        "document": "register",
        "section": "overdue",
    }
    return {"users": users, "objects": objects, "city_wide": city_wide, "someone": other}


ID_NUMBERS = ("211102198601171134", "211102198103083123")


def _registry(place, uploader) -> dict:
    """An application received at the office with a certificate held for its supervisor, and a
    registry file previewed by `uploader` (the supervisor of XLT, or someone at PS)."""
    number = f"{place.code}-MATRIX-1"
    summary = registry_events.record_events(
        rows=[
            EventRow(1, number, EventKind.RECEIVED, date(2026, 9, 1), place.code, ID_NUMBERS),
            EventRow(2, number, EventKind.CERTIFICATE, date(2026, 9, 5), place.code),
        ],
        offices=[place],
        actor=uploader,
        source="upload",
    )
    received, held = summary.results
    assert received.case is not None
    assert held.event is not None
    content = (
        "申请编号,事件,日期,登记处代码,当事人一身份证号,当事人二身份证号\n"
        f"{place.code}-MATRIX-2,受理,2026-11-02,{place.code},{ID_NUMBERS[0]},{ID_NUMBERS[1]}\n"
    ).encode()
    upload = registry_uploads.preview_upload(
        filename="matrix.csv", content=content, offices=[place], uploaded_by=uploader
    ).upload
    assert upload is not None
    return {
        "application_uuid": received.case.registry_application.uuid,
        "event_uuid": held.event.uuid,
        "upload_uuid": upload.uuid,
    }


def url_for(name: str, scope: str, world: dict, user) -> str:
    values = dict(world["city_wide"])
    if scope != "-":
        values.update(world["objects"][scope])
        if scope == "own":
            values["user_id"] = (user or world["someone"]).pk
    return reverse(name, kwargs={param: values[param] for param in ROUTES[name]})


def status_of(browser: TongxinClient, method: str, url: str) -> int:
    """One request in a transaction rolled back afterwards (signing out included: the session
    row comes back, and so does the cookie)."""
    cookies = browser.cookies
    with transaction.atomic():
        browser.cookies = SimpleCookie(cookies)
        response = browser.get(url) if method == "GET" else browser.post(url, {})
        transaction.set_rollback(True)
    browser.cookies = cookies
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_every_role_as_the_matrix_says(world, role):
    user = world["users"].get(role)
    browser = TongxinClient(raise_request_exception=False)
    if user is not None:
        browser.force_login(user)
    wrong = []
    for (name, method, scope), statuses in EXPECTED.items():
        url = url_for(name, scope, world, user)
        got = status_of(browser, method, url)
        if got != statuses[role]:
            wrong.append(f"{name} {method} {scope} {url}: expected {statuses[role]}, got {got}")

    assert wrong == []
    assert HTTPStatus.INTERNAL_SERVER_ERROR not in {s[role] for s in EXPECTED.values()}
