"""The REST API, versioned under /api/v1/: one NinjaAPI with each app's router mounted behind the
token door with its endpoint scope. Wiring only; the door, the errors and the routers live in
the apps (mediation.api, mediation.api_access, counselors.api, reports.api). The OpenAPI schema
and its viewer are for signed-in administrators only, and the viewer's Swagger UI is served from
the installed django-ninja package, never a CDN."""

from django.contrib.auth.decorators import login_not_required, login_required
from django.http import Http404
from django.urls import include
from ninja import NinjaAPI

from counselors.api import router as roster_router
from mediation import access
from mediation.api import ClientToken
from mediation.api import router as registry_router
from mediation.api_access import ReadableJSON, install_error_handlers
from mediation.models import ApiScope
from reports.api import router as statistics_router


def administrators_only(view):
    @login_required
    def guarded(request, *args, **kwargs):
        if not access.may_read_api_docs(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


api = NinjaAPI(
    title="Tongxin API",
    version="1",
    description=(
        "同心 REST API: registry events in, published duty rosters and suppressed statistics "
        "out. Every call needs `Authorization: Bearer <token>` of an API client created by the "
        "system administrator; errors are JSON with a code and a Chinese message."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=administrators_only,
    renderer=ReadableJSON(),
)
install_error_handlers(api)
api.add_router("/registry", registry_router, auth=ClientToken(ApiScope.REGISTRY_EVENTS))
api.add_router("/offices", roster_router, auth=ClientToken(ApiScope.ROSTER))
api.add_router("/statistics", statistics_router, auth=ClientToken(ApiScope.STATISTICS))


def api_urls():
    """The API's routes for config/urls.py. Calls authenticate with their own bearer token, not
    a signed-in session, so they skip the login redirect; the schema and its viewer keep it."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.name not in ("openapi-json", "openapi-view", "api-root"):
            pattern.callback = login_not_required(pattern.callback)
    return include((patterns, app_name), namespace=namespace)
