"""The REST API: tokens (shown once, hashed, scoped, revocable, rate-limited), every call
audited, JSON errors in Chinese, no personal data in any response, a valid OpenAPI schema
served to administrators only and without a CDN."""

import hashlib
import json
from datetime import date, datetime
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openapi_spec_validator import validate

from mediation.models import ApiClient, AuditEvent, RegistryApplication
from mediation.services import api_clients
from tests.factories import open_divorce_case

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ROSTER = "/api/v1/offices/{code}/roster"
EVENTS = "/api/v1/registry/events"
STATISTICS = "/api/v1/statistics"
ID_A, ID_B = "211102198601171134", "211102198103083123"
# What no response may carry (DOMAIN.md, 'Privacy'): names, ID numbers, notes, phones.
PERSONAL = ("name", "full_name", "id_number", "id_numbers", "note", "notes", "phone", "address")


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def new_client(sysadmin, offices, scopes, rate=60, name="登记系统"):
    return api_clients.create_client(
        name=name, offices=offices, scopes=scopes, created_by=sysadmin, rate_per_minute=rate
    )


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def roster_token(sysadmin, xlt):
    return new_client(sysadmin, [xlt], ["roster"]).token


# --- tokens ----------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash(sysadmin, xlt):
    new = new_client(sysadmin, [xlt], ["roster"])

    stored = ApiClient.objects.get()
    assert stored.token_hash == hashlib.sha256(new.token.encode()).hexdigest()
    assert new.token not in json.dumps(
        list(ApiClient.objects.values()), default=str, ensure_ascii=False
    )
    assert stored.account.has_usable_password() is False
    assert stored.account.is_active is False  # the system account cannot sign in


def test_a_call_without_a_token_gets_a_chinese_json_401(client, db):
    response = client.get(ROSTER.format(code="XLT"), {"month": "2026-12"})

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"code": "unauthorized", "message": "需要有效的访问令牌。"}


def test_a_token_outside_its_scope_is_refused(client, sysadmin, xlt):
    token = new_client(sysadmin, [xlt], ["statistics"]).token

    response = client.get(ROSTER.format(code="XLT"), {"month": "2026-12"}, **bearer(token))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {"code": "scope", "message": "该访问令牌无权调用此接口。"}


def test_a_token_for_one_office_gets_404_for_another(client, roster_token, ps):
    response = client.get(ROSTER.format(code="PS"), {"month": "2026-12"}, **bearer(roster_token))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "office_not_found"


def test_a_revoked_token_stops_working_at_once(client, sysadmin, xlt):
    new = new_client(sysadmin, [xlt], ["roster"])
    url = ROSTER.format(code="XLT")
    assert (
        client.get(url, {"month": "2026-12"}, **bearer(new.token)).status_code == 404
    )  # no roster

    api_clients.revoke_client(client=new.client, revoked_by=sysadmin)

    response = client.get(url, {"month": "2026-12"}, **bearer(new.token))
    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_the_rate_limit_refuses_the_call_over_it_then_lets_the_next_minute_in(
    client, sysadmin, xlt, time_machine
):
    token = new_client(sysadmin, [xlt], ["roster"], rate=3).token
    url = ROSTER.format(code="XLT")

    statuses = [
        client.get(url, {"month": "2026-12"}, **bearer(token)).status_code for _ in range(4)
    ]

    assert statuses == [404, 404, 404, 429]
    refused = client.get(url, {"month": "2026-12"}, **bearer(token))
    assert refused.json() == {
        "code": "rate_limited",
        "message": "请求过于频繁：每分钟最多3次，请稍后再试。",
    }
    time_machine.move_to(datetime(2026, 11, 30, 10, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert client.get(url, {"month": "2026-12"}, **bearer(token)).status_code == 404


def test_every_call_is_audited_with_its_client_endpoint_and_status(client, sysadmin, xlt):
    new = new_client(sysadmin, [xlt], ["roster"])

    client.get(ROSTER.format(code="XLT"), {"month": "2026-12"}, **bearer(new.token))
    client.get(ROSTER.format(code="XLT"), {"month": "2026-12"}, **bearer("txk_wrong"))

    denied, called = AuditEvent.objects.filter(action__startswith="api.").order_by("-seq")[:2]
    assert (called.actor, called.object_uuid, called.details["endpoint"]) == (
        new.client.account,
        str(new.client.uuid),
        "office_roster",
    )
    assert (called.details["status"], called.details["code"], called.details["offices"]) == (
        404,
        "no_roster",
        ["XLT"],
    )
    assert (denied.action, denied.actor, denied.details["status"]) == ("api.denied", None, 401)


def test_the_api_answers_in_chinese_whatever_the_client_asks(client, roster_token):
    response = client.get(
        ROSTER.format(code="XLT"),
        {"month": "2026-12"},
        HTTP_ACCEPT_LANGUAGE="en",
        **bearer(roster_token),
    )

    assert response.json() == {"code": "no_roster", "message": "该月排班表尚未发布。"}


def test_invalid_input_is_a_chinese_json_error(client, roster_token):
    response = client.get(ROSTER.format(code="XLT"), {"month": "December"}, **bearer(roster_token))

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["message"].startswith("请求数据不正确")


# --- registry events --------------------------------------------------------------------------


def test_registry_events_posted_through_the_api_are_stored_once(client, sysadmin, xlt):
    token = new_client(sysadmin, [xlt], ["registry_events"]).token
    body = {
        "events": [
            {
                "application_number": "XLT-1",
                "kind": "received",
                "date": "2026-09-01",
                "office": "XLT",
                "id_numbers": [ID_A, ID_B],
            },
            {
                "application_number": "XLT-1",
                "kind": "certificate",
                "date": "2026-09-20",
                "office": "XLT",
            },
            {
                "application_number": "XLT-2",
                "kind": "received",
                "date": "2026-09-01",
                "office": "XLT",
                "id_numbers": [ID_A, "123"],
            },
        ]
    }

    first = client.post(EVENTS, body, content_type="application/json", **bearer(token))
    second = client.post(EVENTS, body, content_type="application/json", **bearer(token))

    assert first.status_code == 200
    assert [(r["result"], r["code"]) for r in first.json()["results"]] == [
        ("applied", ""),
        ("review", "outside_window"),
        ("rejected", "id_length"),
    ]
    assert "法定期间" in first.json()["results"][1]["message"]
    assert [r["result"] for r in second.json()["results"]] == ["skipped", "skipped", "rejected"]
    assert RegistryApplication.objects.count() == 1
    assert ID_A not in first.text


# --- the schema ---------------------------------------------------------------------------------


def _collect_personal_fields(schema, node, path: str, seen: set[str], found: list[str]) -> None:
    """Walk a response's schema, each component once, adding to `found` every property whose
    name could carry personal data."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].split("/")[-1]
            if name not in seen:
                seen.add(name)
                _collect_personal_fields(
                    schema, schema["components"]["schemas"][name], f"{path}>{name}", seen, found
                )
        for key, value in node.get("properties", {}).items():
            if key in PERSONAL or "name" in key.lower():
                found.append(f"{path}.{key}")
            _collect_personal_fields(schema, value, f"{path}.{key}", seen, found)
        for key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
            if key in node:
                _collect_personal_fields(schema, node[key], path, seen, found)
    elif isinstance(node, list):
        for item in node:
            _collect_personal_fields(schema, item, path, seen, found)


def test_the_openapi_schema_is_valid_and_no_response_carries_personal_data(client, sysadmin):
    client.force_login(sysadmin)

    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    found: list[str] = []
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert {(path, method) for path, method, _ in operations} == {
        (EVENTS, "post"),
        ("/api/v1/offices/{code}/roster", "get"),
        (STATISTICS, "get"),
    }
    for path, method, operation in operations:
        for status, answer in operation["responses"].items():
            _collect_personal_fields(
                schema,
                answer.get("content", {}).get("application/json", {}).get("schema", {}),
                f"{method} {path} {status}",
                set(),
                found,
            )
    assert found == []


@pytest.mark.parametrize("role", ["counselor", "supervisor", "civil_affairs"])
def test_the_schema_and_its_viewer_are_for_administrators_only(client, db, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get("/api/v1/openapi.json").status_code == 404
    assert client.get("/api/v1/docs").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_for_the_schema(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_api_viewer_loads_swagger_from_our_own_static_files(client, sysadmin):
    client.force_login(sysadmin)

    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.text
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "Content-Security-Policy" in response.headers


# --- the system administrator's page ------------------------------------------------------------


def test_the_system_administrator_creates_a_client_and_sees_its_token_once(client, sysadmin, xlt):
    client.force_login(sysadmin)

    response = client.post(
        reverse("mediation:api-clients"),
        {
            "name": "兴隆台登记系统",
            "offices": [xlt.pk],
            "scopes": ["roster"],
            "rate_per_minute": 30,
        },
    )

    assert response.status_code == 200
    token = response.context["new"].token
    assert token in response.text
    assert token not in client.get(reverse("mediation:api-clients")).text
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )


@pytest.mark.parametrize("role", ["counselor", "supervisor", "civil_affairs"])
def test_nobody_else_reaches_the_api_clients_page(client, db, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("mediation:api-clients")).status_code == 404


def test_statistics_through_the_api_are_the_dashboards_suppressed_cells(
    client, sysadmin, xlt, counselor
):
    for day in (1, 2):
        open_divorce_case(xlt, counselor, received_on=date(2026, 11, day))
    token = new_client(sysadmin, [xlt], ["statistics"]).token

    response = client.get(
        STATISTICS, {"offices": "XLT", "first": "2026-11", "last": "2026-11"}, **bearer(token)
    )

    assert response.status_code == 200
    data = response.json()
    assert (data["offices"], data["first"], data["last"]) == (["XLT"], "2026-11", "2026-11")
    applications = next(t for t in data["tables"] if t["key"] == "applications")
    total = next(row for row in applications["rows"] if row["total"])
    cell = next(c for c in total["cells"] if c["figure"] == "applications.total")
    assert (cell["display"], cell["value"]) == ("<5", None)


def test_statistics_of_an_office_outside_the_token_are_refused(client, sysadmin, xlt, ps):
    token = new_client(sysadmin, [xlt], ["statistics"]).token

    response = client.get(STATISTICS, {"offices": "XLT,PS"}, **bearer(token))

    assert response.status_code == 404
    assert response.json()["code"] == "office_not_found"


def test_an_api_clients_account_is_not_among_the_accounts_people_sign_in_with(
    client, sysadmin, xlt
):
    new = new_client(sysadmin, [xlt], ["roster"])
    client.force_login(sysadmin)

    listing = client.get(reverse("mediation:account-list"))
    detail = client.get(reverse("mediation:account-detail", args=[new.client.account.pk]))

    assert new.client.account.username not in listing.text
    assert detail.status_code == 404
