"""Walks the whole URL conf, `path` and `re_path` routes alike: every URL requires login except an
explicit, short list, and every route that takes a case's UUID answers 404 to anyone who may
not reach that case, and for a case that does not exist."""

import base64
import io
import itertools
import re
import uuid
from datetime import date, datetime
from http import HTTPStatus

import pytest
import time_machine
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from mediation import services
from mediation.models import FollowUp
from mediation.roles import Role
from tests.factories import held_session_with_note, make_user, open_divorce_case
from tests.sign_in import enrol

# Pages that must work before signing in, each for a reason.
PUBLIC = {
    "login",  # the way in
    "set_language",  # choosing the language on the login page
    "counselors:duty-feed",  # calendar apps cannot sign in; the URL carries a per-user secret
    "mediation:sms-callback",  # the SMS provider cannot sign in; the URL carries a secret
}
# The REST API's calls carry their own bearer token instead of a session (tests/test_api.py).
TOKEN_GUARDED = {"api:post_events", "api:office_roster", "api:statistics"}

# Values tried, in order, for a route's parameter until `reverse` accepts one (a `re_path`
# group only takes what its regular expression matches).
SAMPLES = ("1", "XLT", "sample", "00000000-0000-0000-0000-000000000001", "csv", "x")


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry


def parameters(entry: URLPattern) -> list[str]:
    """The names of a route's parameters: the converters of a `path`, the named groups of a
    `re_path`."""
    pattern = entry.pattern
    if hasattr(pattern, "converters") and pattern.converters:
        return list(pattern.converters)
    return list(pattern.regex.groupindex)


def candidates(entry: URLPattern, parameter: str) -> list[str]:
    converter = getattr(entry.pattern, "converters", {}).get(parameter)
    if converter is None:  # a re_path group: `reverse` says which sample its expression takes
        return list(SAMPLES)
    return [sample for sample in SAMPLES if re.fullmatch(converter.regex, sample)]


def sample_path(name: str, entry: URLPattern, values: dict[str, str] | None = None) -> str:
    """A path that reaches the route: the given values, and samples for the other parameters."""
    names = parameters(entry)
    given = values or {}
    options = [[given[p]] if p in given else candidates(entry, p) for p in names]
    for choice in itertools.product(*options):
        try:
            return reverse(name, kwargs=dict(zip(names, choice, strict=True)))
        except NoReverseMatch:
            continue
    raise AssertionError(f"No sample value fits {name}: add one to SAMPLES")


ENTRIES = [(name, entry) for name, entry in walk(get_resolver().url_patterns)]
ROUTES = [(name, sample_path(name, entry)) for name, entry in ENTRIES]
CASE_ROUTES = [(name, entry) for name, entry in ENTRIES if "case_uuid" in parameters(entry)]


def test_the_url_conf_is_walked_with_its_re_path_routes():
    names = {name for name, _ in ROUTES}

    assert {"home", "login", "mediation:office-detail", "reports:dashboard-export"} <= names
    assert dict(ROUTES)["reports:dashboard-export"] == "/reports/export.csv"


def test_every_case_route_is_found():
    names = {name for name, _ in CASE_ROUTES}

    assert {"mediation:case-detail", "mediation:note-edit", "counselors:case-book"} <= names


@pytest.mark.parametrize(("name", "path"), ROUTES, ids=[name for name, _ in ROUTES])
def test_every_page_requires_login(client, db, name, path):
    if name in PUBLIC:
        pytest.skip("public by design")
    if name in TOKEN_GUARDED:
        pytest.skip("guarded by a bearer token")

    response = client.get(path)

    assert response.status_code == HTTPStatus.FOUND, path
    assert response["Location"].startswith("/login/"), path


@pytest.mark.parametrize("name", sorted(TOKEN_GUARDED))
def test_every_api_call_without_a_token_is_refused(client, db, name):
    path = next(path for route_name, path in ROUTES if route_name == name)

    response = client.get(path) if name != "api:post_events" else client.post(path)

    assert response.status_code == HTTPStatus.UNAUTHORIZED, path
    assert response.json()["code"] == "unauthorized"


def test_the_sms_callback_refuses_a_wrong_secret(client, db):
    response = client.post("/mediation/sms/callbacks/file/guess/replies/")

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_there_is_no_django_admin(client, db):
    """Accounts and roles are managed in Tongxin's own pages, where every change is audited; the
    Django admin would write around the trail and let a staff account edit groups."""
    assert not [name for name, _ in ROUTES if name.startswith("admin:")]
    assert client.get("/admin/").status_code == HTTPStatus.NOT_FOUND


# Pages a signed-in user reaches before passing the second factor, each for a reason.
BEFORE_SECOND_FACTOR = {
    "logout",  # always possible
    "mediation:second-factor",  # the second step itself
    "mediation:second-factor-enrol",  # setting it up the first time
}


@pytest.mark.parametrize(("name", "path"), ROUTES, ids=[name for name, _ in ROUTES])
def test_a_password_alone_reaches_only_the_second_factor_page(client, counselor, name, path):
    if name in PUBLIC | BEFORE_SECOND_FACTOR:
        pytest.skip("reachable before the second factor by design")
    if name in TOKEN_GUARDED:
        pytest.skip("guarded by a bearer token, not a session")
    enrol(counselor)
    client.force_login(counselor, verified=False)

    response = client.get(path)

    assert response.status_code == HTTPStatus.FOUND, path
    assert response["Location"].startswith("/mediation/sign-in/code/?next="), path


# --- Case routes ------------------------------------------------------------------------------


@pytest.fixture
def case_values(client, counselor, xlt):
    """A reconciled case of XLT with everything a case route can name: its parties, a held session
    with its note, a follow-up call, a referral, an attached scan, a signature. Returns the
    values of the case routes' parameters."""
    with time_machine.travel(timezone.make_aware(datetime(2026, 10, 20, 10)), tick=False):
        case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
        session, note = held_session_with_note(case, counselor)
        client.force_login(counselor)
        party = case.parties.get(position=1)
        referral = services.refer(
            case=case,
            party=party,
            destination="legal_aid",
            reason="示例原因",
            referred_on=date(2026, 10, 8),
            referred_by=counselor,
        )
        attachment = services.attach_file(
            case=case, data=png(), filename="回函.png", kind="other", uploaded_by=counselor
        )
        signature = services.record_signature(
            party=party,
            image="data:image/png;base64," + base64.b64encode(png()).decode(),
            recorded_by=counselor,
        )
        client.force_login(counselor)
        closed = client.post(
            reverse("mediation:case-outcome", kwargs={"case_uuid": case.uuid}),
            {"kind": "reconciled", "decided_on": "2026-10-08", "confirmed": "1"},
        )
        assert closed.status_code == HTTPStatus.FOUND
        client.logout()
        yield {
            "case_uuid": str(case.uuid),
            "position": "1",
            "session_uuid": str(session.uuid),
            "note_uuid": str(note.uuid),
            "follow_up_id": str(FollowUp.objects.filter(case=case).first().pk),
            "referral_id": str(referral.pk),
            "attachment_uuid": str(attachment.uuid),
            "signature_uuid": str(signature.uuid),
            "purpose": "counselling",
        }


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def case_paths(values: dict[str, str]) -> dict[str, str]:
    return {name: sample_path(name, entry, values) for name, entry in CASE_ROUTES}


def own_answers(client, people, paths: dict[str, str]) -> dict[str, int]:
    """What the people of the case (its counsellor, the office's supervisor) get from a GET of
    every case route: one of them is never answered 404, so a 404 later comes from the door and
    not from a parameter that names nothing."""
    own = {}
    for name, path in paths.items():
        for person in people:
            client.force_login(person)
            own[name] = client.get(path).status_code
            if own[name] != HTTPStatus.NOT_FOUND:
                break
    assert not [name for name, status in own.items() if status == HTTPStatus.NOT_FOUND]
    return own


def not_refused(client, user, paths: dict[str, str], own: dict[str, int]) -> dict[str, tuple]:
    """The routes that do not answer 404 to this user: a POST must, and so must a GET, unless the
    page takes only POST and says so to its own counsellor too (405, before looking at a case)."""
    client.force_login(user)
    wrong = {}
    for name, path in paths.items():
        got, posted = client.get(path).status_code, client.post(path, {}).status_code
        get_allowed = {HTTPStatus.NOT_FOUND, own[name]} & {HTTPStatus.NOT_FOUND, 405}
        if posted != HTTPStatus.NOT_FOUND or got not in get_allowed:
            wrong[name] = (got, posted)
    return wrong


def test_every_case_route_answers_404_to_whoever_may_not_reach_the_case(
    client, case_values, counselor, supervisor, other_counselor, xlt, ps
):
    """Statistics roles are walked through every route by tests/reports/test_views.py."""
    paths = case_paths(case_values)
    own = own_answers(client, (counselor, supervisor), paths)
    unassigned = make_user(Role.COUNSELOR, xlt, username="c_xlt_unassigned", full_name="赵咨询")
    supervisor_elsewhere = make_user(Role.SUPERVISOR, ps, username="s_ps", full_name="孙主任")

    for user in (other_counselor, unassigned, supervisor_elsewhere):
        assert not_refused(client, user, paths, own) == {}, user.username


def test_every_case_route_answers_404_for_a_case_that_does_not_exist(
    client, case_values, counselor, supervisor
):
    own = own_answers(client, (counselor, supervisor), case_paths(case_values))
    unknown = case_paths({**case_values, "case_uuid": str(uuid.uuid4())})

    for person in (counselor, supervisor):
        assert not_refused(client, person, unknown, own) == {}, person.username
