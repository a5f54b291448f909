"""Storing generated model instances: Django's `bulk_create`, an `executemany` of one INSERT
with values prepared by the fields, or PostgreSQL's COPY.

Both take the same model instances, built from the models' choices and defaults, with their
ids already in (see Ids), so children can name their parents before anything is sent.
The other two exist because `bulk_create` compiles every value into a statement in Python,
which takes most of the generator's time (docs/scaling.md has the figures).
"""

import os
import uuid
from collections.abc import Callable, Sequence
from typing import cast

from django.db import connection
from django.db.models import AutoField, BigAutoField, JSONField, Max, Model
from django.db.models.base import ModelState
from psycopg.types.json import Jsonb

METHODS = ("bulk_create", "executemany", "copy")


def default_method() -> str:
    return "copy" if connection.vendor == "postgresql" else "executemany"


class Ids:
    """New primary keys of one table, taken a block at a time: from the table's sequence on
    PostgreSQL (so later saves continue after them), after the largest id on SQLite (where
    the generator is the only writer)."""

    BLOCK = 5000

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.free: list[int] = []
        self.last: int | None = None
        self.sequence: str | None = None

    def prime(self) -> None:
        """Start a run afresh: ids left over from an earlier run came from another moment of
        the sequence (or another database) and may already be taken."""
        self.free = []
        if connection.vendor != "postgresql":
            self.last = self.model._default_manager.aggregate(last=Max("pk"))["last"] or 0

    def take(self) -> int:
        if not self.free:
            self.free = self._block()[::-1]
        return self.free.pop()

    def _block(self) -> list[int]:
        table, column = self.model._meta.db_table, self.model._meta.pk.column
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if self.sequence is None:
                    # Looked up once: called in the series, the lookup ran for every id, 8 %
                    # of the server's work while generating.
                    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
                    self.sequence = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                    [self.sequence, self.BLOCK],
                )
                return [row[0] for row in cursor.fetchall()]
        if self.last is None:
            self.last = self.model._default_manager.aggregate(last=Max("pk"))["last"] or 0
        first, self.last = self.last + 1, self.last + self.BLOCK
        return list(range(first, self.last + 1))


class RandomUuids:
    """Random (version 4) UUIDs from the operating system's random source read 64 KiB at a
    time: `uuid.uuid4` asks it for 16 bytes per row, a system call each, which took a tenth of
    the generator's time on a busy machine."""

    BLOCK = 16 * 4096

    def __init__(self) -> None:
        self.pool = b""
        self.at = 0

    def __call__(self) -> uuid.UUID:
        if self.at >= len(self.pool):
            self.pool, self.at = os.urandom(self.BLOCK), 0
        raw = self.pool[self.at : self.at + 16]
        self.at += 16
        return uuid.UUID(bytes=raw, version=4)


class Factory[M: Model]:
    """Instances of a model with every column set from keyword values (attribute names: ids
    for foreign keys) or the field's default, without Model.__init__'s per-field work, which
    would take a third of the generator's time. Values are checked by `check_sample`."""

    def __init__(self, model: type[M], *, ids: bool = True) -> None:
        self.model = model
        self.static: dict[str, object] = {}
        self.dynamic: list[tuple[str, Callable[[], object]]] = []
        for field in model._meta.concrete_fields:
            if field.has_default() and field.default is uuid.uuid4:
                self.dynamic.append((field.attname, RandomUuids()))
            elif field.has_default() and callable(field.default):
                self.dynamic.append((field.attname, field.default))
            else:
                self.static[field.attname] = field.get_default()
        automatic = isinstance(model._meta.pk, AutoField | BigAutoField)
        self.ids = Ids(model) if ids and automatic else None

    def __call__(self, **values) -> M:
        obj = self.model.__new__(self.model)
        obj._state = ModelState()
        attributes = obj.__dict__
        attributes.update(self.static)
        for name, make in self.dynamic:
            attributes[name] = make()
        if self.ids is not None:
            attributes[self.model._meta.pk.attname] = self.ids.take()
        attributes.update(values)
        return obj


def check_sample(obj: Model, *, exclude: tuple[str, ...] = ()) -> None:
    """The model's own field rules (choices, lengths, ranges, nulls) on one row; foreign keys
    are left out, their rows being inserted in the same transaction, and so are `exclude`."""
    relations = [field.name for field in obj._meta.concrete_fields if field.is_relation]
    obj.clean_fields(exclude=[*relations, *exclude])


def store(model: type[Model], objects: Sequence[Model], *, method: str) -> None:
    """Insert the instances (ids included) in the caller's transaction."""
    if not objects:
        return
    if method == "bulk_create":
        model._default_manager.bulk_create(objects, batch_size=2000)
    elif method == "executemany":
        _executemany(model, objects)
    else:
        _copy(model, objects)


def _executemany(model: type[Model], objects: Sequence[Model]) -> None:
    """One prepared INSERT run for every row, each value prepared by its field as `save()`
    would (`get_db_prep_save`), without compiling a statement per batch as `bulk_create`
    does."""
    fields = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    holes = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({holes})"
    prepare = [(field.attname, field.get_db_prep_save) for field in fields]
    rows = [[to_db(obj.__dict__[name], connection) for name, to_db in prepare] for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _copy(model: type[Model], objects: Sequence[Model]) -> None:
    """COPY in PostgreSQL's binary format: no text to parse on the server's side."""
    fields = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    names = [field.attname for field in fields]
    types = [(field.db_type(connection) or "").split("(")[0] for field in fields]
    json_names = {field.attname for field in fields if isinstance(field, JSONField)}
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.set_types(types)
        for obj in objects:
            values = obj.__dict__
            copy.write_row(
                [Jsonb(values[name]) if name in json_names else values[name] for name in names]
            )
