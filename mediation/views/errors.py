"""Error pages Django's own handlers would give in English: a refused request (400) and one too
large to read (413), in the user's language, saying that nothing typed is lost in the browser.
May import nothing of the app's rules."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler400: a body over DATA_UPLOAD_MAX_MEMORY_SIZE answers 413 with its own
    page; any other refused request 400. Rendered without the request, as Django does, since
    the request is the thing that could not be read."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = render_to_string("413.html", {"limit_mb": round(limit / 1024 / 1024, 1)})
        return HttpResponse(body, status=413)
    return HttpResponse(render_to_string("400.html"), status=400)
