"""A second test database, cloned from the test database once per test session, for data that
takes long to make (the 2021 pilot). Works on SQLite and PostgreSQL, in each xdist worker.

The clone starts as the migrated test database (with the reference rows of the data
migrations); a session fixture fills it and commits; a module fixture points Django's connection
at it, and each test of the module runs in its own transaction (`django_db`), rolled back after
it, so the tests see the same rows and never each other's changes.
"""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection

# The name in the settings, before the test run replaces it with the test database's.
CONFIGURED_NAME = connection.settings_dict["NAME"]


@dataclass
class ClonedDatabase:
    settings: dict[str, Any]

    @classmethod
    def clone(cls, suffix: str) -> "ClonedDatabase":
        """A copy of the test database as it is now, under the test database's name + suffix."""
        if connection.settings_dict["NAME"] == CONFIGURED_NAME:
            raise RuntimeError("Only a test database is cloned: request django_db_setup first.")
        name = str(connection.settings_dict["NAME"])
        if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
            raise RuntimeError("A test database in memory cannot be cloned: give it a file.")
        settings = connection.creation.get_test_db_clone_settings(suffix)
        target = settings["NAME"]
        if connection.vendor == "sqlite":
            # The backup API copies what the WAL file holds too; a file copy would miss it.
            for leftover in (target, f"{target}-wal", f"{target}-shm"):
                if os.path.exists(leftover):
                    os.remove(leftover)
            connection.ensure_connection()
            copy = sqlite3.connect(target)
            try:
                connection.connection.backup(copy)
            finally:
                copy.close()
        else:
            source = connection.settings_dict["NAME"]
            # CREATE DATABASE ... TEMPLATE needs the source to have no open session.
            connection.close()
            quote = connection.ops.quote_name
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)}")
                cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(source)}")
        return cls(settings=settings)

    @contextmanager
    def active(self) -> Iterator[None]:
        """Point Django's default connection at the clone for the duration of the block."""
        original = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(self.settings)
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(original)

    def destroy(self) -> None:
        name = self.settings["NAME"]
        if connection.vendor == "sqlite":
            for path in (name, f"{name}-wal", f"{name}-shm"):
                if os.path.exists(path):
                    os.remove(path)
        else:
            connection.close()
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
