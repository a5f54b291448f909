"""The REST API's door and the core's router (ARCHITECTURE.md, 'api.py'): schemas in, a service
called, schemas out; no rule of its own.

The door: `ClientToken` authenticates a bearer token (an ApiClient's, stored hashed), checks the
router's endpoint scope and the client's rate limit; `client_office` refuses an office outside
the client's (404, as for anything out of reach). Errors are JSON with a code and a Chinese
message (`install_error_handlers`). Every call is audited by mediation.middleware.ApiMiddleware.
Responses carry no name, ID number or note (tests/test_api.py walks the OpenAPI schema).
"""

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from .models import ApiClient, ApiScope, RegistryOffice
from .registry_file import check_row
from .services import api_clients, registry_events


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


class ReadableJSON(JSONRenderer):
    """UTF-8 JSON with Chinese as characters, not \\u escapes: readable in curl and logs."""

    json_dumps_params = {"ensure_ascii": False}


class ErrorOut(Schema):
    code: str = Field(description="A stable code for programs, e.g. scope, rate_limited.")
    message: str = Field(description="What went wrong, in Chinese.")


class ClientToken(HttpBearer):
    """`Authorization: Bearer <token>` of an active client holding `scope`, within its rate."""

    def __init__(self, scope: ApiScope):
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = api_clients.client_for_token(token)
        if client is None:
            return None
        request.api_client = client  # type: ignore[attr-defined]
        if self.scope not in client.scopes:
            raise ApiError(403, "scope", _("This token may not call this endpoint."))
        if not api_clients.take_request(client=client):
            raise ApiError(
                429,
                "rate_limited",
                _("Too many requests: at most %(n)s a minute. Try again shortly.")
                % {"n": client.rate_per_minute},
            )
        return client


def client_office(request: HttpRequest, code: str) -> RegistryOffice:
    """An office the calling client may act for; 404 otherwise (missing and forbidden alike)."""
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    office = client.offices.filter(code=code.upper()).first()
    if office is None:
        raise ApiError(404, "office_not_found", _("No such office for this token."))
    request.api_offices = [office.code]  # type: ignore[attr-defined]
    return office


def _json(api: Any, request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    request.api_code = code  # type: ignore[attr-defined]
    return api.create_response(request, {"code": code, "message": message}, status=status)


def install_error_handlers(api: Any) -> None:
    """Every error the API gives is {"code": ..., "message": <Chinese>}."""

    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return _json(api, request, exc.status, exc.code, exc.message)

    def unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _json(api, request, 401, "unauthorized", _("A valid access token is required."))

    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = sorted(
            {".".join(str(part) for part in error.get("loc", ())[1:]) for error in exc.errors}
        )
        return _json(
            api,
            request,
            422,
            "invalid",
            _("The request is not valid: %(fields)s.") % {"fields": ", ".join(fields) or "-"},
        )

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _json(api, request, 404, "not_found", _("Not found."))

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return _json(api, request, exc.status_code, "error", _("The request cannot be served."))

    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(NinjaValidationError, invalid)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(HttpError, http_error)


# --- registry events ---------------------------------------------------------------------------

router = Router(auth=ClientToken(ApiScope.REGISTRY_EVENTS), tags=["registry"])

Kind = Literal["received", "withdrawn", "certificate", "deemed_withdrawn"]


class EventIn(Schema):
    application_number: str = Field(max_length=40, description="The registry's number.")
    kind: Kind
    date: datetime.date = Field(description="The day of the event (受理, 撤回, 发证 or 视为撤回).")
    office: str = Field(max_length=12, description="The registry office's code, e.g. XLT.")
    id_numbers: list[str] | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="Both parties' ID numbers (18 characters), for a received application only.",
    )


class EventsIn(Schema):
    events: list[EventIn] = Field(min_length=1, max_length=500)


class EventResultOut(Schema):
    position: int = Field(description="The event's place in the request, from 1.")
    application_number: str
    kind: str
    result: Literal["applied", "review", "skipped", "rejected"]
    code: str = Field(description="Why, when not applied: outside_window, already_imported, ...")
    message: str = Field(description="In Chinese.")
    case_number: str = Field(description="The counselling case it belongs to, when stored.")


class EventsOut(Schema):
    results: list[EventResultOut]
    applied: int
    review: int
    skipped: int
    rejected: int


@router.post(
    "/events",
    response={200: EventsOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Post registry events",
)
def post_events(request: HttpRequest, payload: EventsIn) -> EventsOut:
    """Applications received, withdrawals, certificates and deemed withdrawals. Idempotent: an
    application's event already stored is skipped. An outcome outside its legal window, or at
    odds with the case, is kept for the office supervisor instead of applied."""
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    rows, results = [], {}
    for position, event in enumerate(payload.events, start=1):
        checked = check_row(
            position,
            {
                "application_number": event.application_number,
                "kind": event.kind,
                "date": event.date,
                "office": event.office,
                "id_number_1": (event.id_numbers or ["", ""])[0],
                "id_number_2": (event.id_numbers or ["", ""])[1],
            },
        )
        if isinstance(checked, list):
            results[position] = registry_events.RowResult(
                position,
                event.application_number,
                event.kind,
                registry_events.Effect.REJECTED,
                checked[0].code,
                " ".join(registry_events.row_error_message(error) for error in checked),
            )
        else:
            rows.append(checked)
    offices = list(client.offices.all())
    request.api_offices = sorted({row.office for row in rows})  # type: ignore[attr-defined]
    summary = registry_events.record_events(
        rows=rows,
        offices=offices,
        actor=client.account,
        source="api",
        client=client,
        request=request,
    )
    for result in summary.results:
        results[result.line or 0] = result
    out = [
        EventResultOut(
            position=position,
            application_number=result.application_number,
            kind=str(result.kind),
            result=result.effect,  # type: ignore[arg-type]
            code=result.code,
            message=result.message,
            case_number=result.case.number if result.case else "",
        )
        for position, result in sorted(results.items())
    ]
    return EventsOut(
        results=out,
        **{
            effect: sum(1 for r in out if r.result == effect)
            for effect in ("applied", "review", "skipped", "rejected")
        },
    )
