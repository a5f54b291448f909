"""The REST API's shared pieces for every app's router: the error every endpoint raises and how
it is answered (JSON with a code and a Chinese message), the check that an office is the calling
client's, the JSON renderer. Imports models and django-ninja only, so the routers of counselors
and reports can use it without reaching any service (the token check itself is mediation.api's,
wired by config/api.py).
"""

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from .models import ApiClient, RegistryOffice

logger = logging.getLogger("tongxin.api")


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

    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s", request.path)
        return _json(
            api, request, 500, "server_error", _("Something went wrong on our side; it is logged.")
        )

    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(NinjaValidationError, invalid)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Exception, server_error)
