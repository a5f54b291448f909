"""The `Server-Timing` header: how long the server spent on a response, and how much of that
was the database (count and duration of its queries), so load tests can tell server time
from the load generator's own delays. Plumbing only: imports no app of ours.

Cheap: one `execute_wrapper` per database connection for the request, which adds a counter
and two clock reads per query and keeps no SQL. `TONGXIN_SERVER_TIMING=0` removes the
middleware altogether.
"""

import time
from contextlib import ExitStack

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections


class QueryTimer:
    """An execute wrapper that counts queries and adds up their time."""

    __slots__ = ("count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


def header_value(*, total_seconds: float, db_seconds: float, queries: int) -> str:
    """`total;dur=12.3, db;dur=4.5;desc="7 queries"` (durations in milliseconds)."""
    return (
        f"total;dur={total_seconds * 1000:.1f}, "
        f'db;dur={db_seconds * 1000:.1f};desc="{queries} queries"'
    )


class ServerTimingMiddleware:
    """Outermost middleware: times everything below it, sessions and messages included."""

    def __init__(self, get_response):
        if not getattr(settings, "TONGXIN_SERVER_TIMING", True):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        timer = QueryTimer()
        start = time.perf_counter()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(timer))
            response = self.get_response(request)
        response["Server-Timing"] = header_value(
            total_seconds=time.perf_counter() - start,
            db_seconds=timer.seconds,
            queries=timer.count,
        )
        return response
