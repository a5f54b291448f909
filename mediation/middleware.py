"""Per-request plumbing: a request id that links audit events and log lines of one request, and
the REST API's own: answers in Chinese, and every call written to the audit trail."""

import uuid

from django.utils import translation

API_PREFIX = "/api/"
# Pages of the API for signed-in administrators (the schema and its viewer), not calls.
API_DOCS = ("openapi-json", "openapi-view")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class ApiMiddleware:
    """Under /api/: messages in Chinese whatever the client's language, and one audit event per
    call — which client (if any), which endpoint, the status and error code, the offices."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        with translation.override("zh-hans"):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        endpoint = match.url_name if match else ""
        if endpoint not in API_DOCS:
            from .services.api_clients import record_call  # services import models at load

            record_call(
                client=getattr(request, "api_client", None),
                endpoint=endpoint or request.path[:80],
                status=response.status_code,
                code=getattr(request, "api_code", ""),
                offices=getattr(request, "api_offices", ()),
                request=request,
            )
        return response
