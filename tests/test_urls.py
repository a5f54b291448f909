"""Every URL requires login, except an explicit, short list (walks the whole URL conf)."""

import re
from http import HTTPStatus

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages that must work before signing in, each for a reason.
PUBLIC = {
    "login",  # the way in
    "set_language",  # choosing the language on the login page
    "counselors:duty-feed",  # calendar apps cannot sign in; the URL carries a per-user secret
}

SAMPLE_VALUES = {
    "int": "1",
    "str": "XLT",
    "slug": "sample",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "x",
}


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def sample_path(route: str) -> str:
    route = re.sub(
        r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES.get(m.group(1) or "str", "x"), route
    )
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    return "/" + route


ROUTES = [
    (name, sample_path(route))
    for name, route in walk(get_resolver().url_patterns)
    if "(?P" not in route
]


def test_the_url_conf_is_walked():
    names = {name for name, _ in ROUTES}
    assert {"home", "login", "mediation:office-detail"} <= names


@pytest.mark.parametrize(("name", "path"), ROUTES, ids=[name for name, _ in ROUTES])
def test_every_page_requires_login(client, db, name, path):
    if name in PUBLIC:
        pytest.skip("public by design")

    response = client.get(path)

    assert response.status_code == HTTPStatus.FOUND, path
    assert response["Location"].startswith("/login/"), path


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
    from tests.sign_in import enrol

    enrol(counselor)
    client.force_login(counselor, verified=False)

    response = client.get(path)

    assert response.status_code == HTTPStatus.FOUND, path
    assert response["Location"].startswith("/mediation/sign-in/code/?next="), path
