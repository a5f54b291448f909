"""Statistics read from a streaming replica when there is one; everything else uses the primary.

A province runs its statistics pages (and later the API's statistics) on a PostgreSQL streaming
replica so that counting never competes with the counsellors' writes (docs/scaling.md). Plumbing
only: imports no app of ours; the reports app is named by its URL namespace.

- `DATABASE_REPLICA_URL` adds the `replica` alias; without it nothing here changes anything.
- Reads go to the replica only inside `statistics_reads()`, which `StatisticsReadsMiddleware`
  opens for views in `TONGXIN_REPLICA_NAMESPACES` (the `reports` pages).
- Even then the primary serves: writes; reads inside a transaction on the primary (a
  read-modify-write must see what it locks); the rows that decide access (accounts, roles,
  memberships, sessions: losing an assignment removes access on the next request); and every
  read while the replica lags more than `TONGXIN_REPLICA_MAX_LAG` seconds or its lag is unknown.
"""

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

# Replay lag in seconds on a standby; 0 on a server that is not replaying (it is a primary,
# so it lags nobody); NULL while a standby has not replayed anything yet (unknown).
POSTGRES_LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
    "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)

# Access is decided from these: always read on the primary.
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "contenttypes", "admin", "axes"})
PRIMARY_ONLY_MODELS = frozenset({"mediation.officemembership"})

_statistics = contextvars.ContextVar("tongxin_statistics_reads", default=False)


def replica_alias() -> str:
    """The configured replica alias, or '' when reads have nowhere else to go."""
    alias = getattr(settings, "TONGXIN_REPLICA_ALIAS", "")
    return alias if alias and alias in connections.settings else ""


@contextmanager
def statistics_reads() -> Iterator[None]:
    """Reads in this block are statistics: the replica may serve them."""
    token = _statistics.set(True)
    try:
        yield
    finally:
        _statistics.reset(token)


def measure_lag(alias: str) -> float | None:
    """The replica's replay lag in seconds, or None when it cannot be known (not PostgreSQL,
    not reachable, nothing replayed yet)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute(POSTGRES_LAG_SQL)
            row = cursor.fetchone()
    except DatabaseError:
        return None
    if row is None or row[0] is None:
        return None
    return max(0.0, float(row[0]))


def is_fresh(lag: float | None, max_lag: float) -> bool:
    """The guard's rule: the replica serves only when its lag is known and within the limit."""
    return lag is not None and lag <= max_lag


class LagGuard:
    """Remembers each alias's lag for `TONGXIN_REPLICA_LAG_CHECK` seconds, so a busy page asks
    the replica once every few seconds rather than before every query."""

    def __init__(self, measure=measure_lag, clock=time.monotonic) -> None:
        self._measure = measure
        self._clock = clock
        self._seen: dict[str, tuple[float, float | None]] = {}

    def lag(self, alias: str) -> float | None:
        now = self._clock()
        interval = float(getattr(settings, "TONGXIN_REPLICA_LAG_CHECK", 5.0))
        seen = self._seen.get(alias)
        if seen is None or now - seen[0] >= interval:
            seen = (now, self._measure(alias))
            self._seen[alias] = seen
        return seen[1]

    def fresh(self, alias: str) -> bool:
        return is_fresh(self.lag(alias), float(getattr(settings, "TONGXIN_REPLICA_MAX_LAG", 30.0)))

    def forget(self) -> None:
        self._seen.clear()


guard = LagGuard()


class ReplicaRouter:
    """DATABASE_ROUTERS entry. Returns None (Django's default: the primary, or the database the
    related instance came from) unless a statistics read may go to the replica."""

    def db_for_read(self, model, **hints) -> str | None:
        if not _statistics.get():
            return None
        alias = replica_alias()
        if not alias or not self._replica_may_serve(model, hints):
            return None
        return alias if guard.fresh(alias) else None

    def _replica_may_serve(self, model, hints) -> bool:
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY_APPS or meta.label_lower in PRIMARY_ONLY_MODELS:
            return False
        if meta.label == settings.AUTH_USER_MODEL:
            return False
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return False
        instance = hints.get("instance")
        return instance is None or instance._state.db in (None, replica_alias())

    def db_for_write(self, model, **hints) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        same_data = {DEFAULT_DB_ALIAS, replica_alias()} - {""}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        if db != DEFAULT_DB_ALIAS and db == getattr(settings, "TONGXIN_REPLICA_ALIAS", ""):
            return False  # a standby is read-only: it gets the schema from the primary's WAL
        return None


class StatisticsReadsMiddleware:
    """Opens `statistics_reads()` around the views of the statistics URL namespaces."""

    def __init__(self, get_response):
        if not getattr(settings, "TONGXIN_REPLICA_ALIAS", ""):
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.namespaces = frozenset(getattr(settings, "TONGXIN_REPLICA_NAMESPACES", ()))

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            token = request.__dict__.pop("_statistics_reads", None)
            if token is not None:
                _statistics.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.namespace in self.namespaces:
            request._statistics_reads = _statistics.set(True)
        return None
