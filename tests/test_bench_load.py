"""The load test's locustfile names pages by URL name: they must exist, or the load test rots.

The locustfile is imported in a subprocess: locust patches the standard library (gevent) as it
is imported, which the test process must not be."""

import json
import subprocess
import sys

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from bench.load.planning import URLS

SHOW_PAGES = """
import json
from bench.load import locustfile
users = [locustfile.Counsellor, locustfile.Supervisor]
print(json.dumps({user.__name__: user.pages for user in users}))
"""


def locust_pages() -> dict[str, dict[str, str]]:
    result = subprocess.run(
        [sys.executable, "-c", SHOW_PAGES],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "LOAD_PLAN": "/nonexistent/plan.json"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_page_of_the_load_test_is_a_url_the_runner_plans_and_django_knows():
    pages = locust_pages()

    assert set(pages) == {"Counsellor", "Supervisor"}
    names = {name for steps in pages.values() for name in steps.values()}
    assert {"mediation:today", "mediation:note-edit", "counselors:case-book"} <= names
    assert names <= set(URLS)
    for name in names | {"login"}:
        values = dict.fromkeys(URLS[name], "00000000-0000-0000-0000-000000000001")
        try:
            reverse(name, kwargs=values)
        except NoReverseMatch as error:  # pragma: no cover - the failure message
            raise AssertionError(f"{name} is not a URL: {error}") from None
