"""Every response says how long the server took and how much of it was the database."""

import re

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.server_timing import header_value

TIMING = re.compile(
    r'^total;dur=(?P<total>[\d.]+), db;dur=(?P<db>[\d.]+);desc="(?P<queries>\d+) queries"$'
)


def parse(response) -> dict[str, float]:
    match = TIMING.match(response["Server-Timing"])
    assert match, response["Server-Timing"]
    return {name: float(value) for name, value in match.groupdict().items()}


def test_a_signed_in_page_reports_total_and_database_time_and_its_query_count(client, counselor):
    client.force_login(counselor)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("mediation:today"))

    assert response.status_code == 200
    timing = parse(response)
    assert timing["queries"] == len(queries) > 0
    assert 0 < timing["db"] <= timing["total"]


def test_the_sign_in_page_has_the_header_too(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert parse(response)["total"] > 0


def test_a_not_found_page_has_the_header_too(client, counselor):
    client.force_login(counselor)

    response = client.get("/mediation/cases/00000000-0000-0000-0000-000000000001/")

    assert response.status_code == 404
    assert parse(response)["queries"] > 0


@override_settings(TONGXIN_SERVER_TIMING=False)
def test_the_header_can_be_switched_off(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "Server-Timing" not in response


def test_durations_are_milliseconds_with_one_decimal():
    value = header_value(total_seconds=0.04567, db_seconds=0.0123, queries=7)

    assert value == 'total;dur=45.7, db;dur=12.3;desc="7 queries"'
