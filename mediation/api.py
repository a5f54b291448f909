"""The REST API's door and the core's router (ARCHITECTURE.md, 'api.py'): schemas in, a service
called, schemas out; no rule of its own.

The door: `ClientToken` authenticates a bearer token (an ApiClient's, stored hashed), checks the
endpoint scope it was given (config/api.py gives each router its own) and the client's rate
limit. `client_office` (mediation.api_access) refuses an office outside the client's (404, as for
anything out of reach). Every call is audited by mediation.middleware.ApiMiddleware. Responses
carry no name, ID number or note (tests/test_api.py walks the OpenAPI schema).
"""

import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from .api_access import ApiError, ErrorOut
from .models import ApiClient, ApiScope
from .registry_file import check_row
from .services import api_clients, registry_events
from .services.registry_messages import row_error_message


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


# --- registry events ---------------------------------------------------------------------------

router = Router(tags=["registry"])

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
                " ".join(row_error_message(error) for error in checked),
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
