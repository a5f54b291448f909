"""`python -m bench [NAME ...]`: run the named benchmarks (all when none is named) against a
fresh test database, so the development data is never touched. DATABASE_URL picks the engine.

`python -m bench load ...` is the load test (bench/load/run.py): it runs against a generated
database and a real server; `python -m bench scale ...` (bench/scale/run.py) compares the case
pages on two generated databases. Neither is part of the default run."""

import importlib
import os
import pkgutil
import sys

import django
from django.conf import settings
from django.db import connections
from django.test.utils import setup_databases, teardown_databases

import bench
from bench.load.run import main as load
from bench.scale.run import main as scale


def main(argv: list[str]) -> None:
    if argv[:1] == ["load"]:
        # The load test runs against a generated database and a real server, not a fresh one.
        load(argv[1:])
        return
    if argv[:1] == ["scale"]:
        scale(argv[1:])
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    django.setup()

    # Never the test suite's database: the two may run at the same time.
    default = connections["default"].settings_dict
    if default["ENGINE"].endswith("sqlite3"):
        default["TEST"]["NAME"] = str(settings.VAR_DIR / "bench.sqlite3")
    else:
        default["TEST"]["NAME"] = f"bench_{default['NAME']}"

    names = argv or sorted(
        module.name
        for module in pkgutil.iter_modules(bench.__path__)
        if not module.name.startswith("_") and not module.ispkg
    )
    state = setup_databases(verbosity=0, interactive=False)
    try:
        for name in names:
            print(f"== {name}")
            importlib.import_module(f"bench.{name}").main()
    finally:
        teardown_databases(state, verbosity=0)


if __name__ == "__main__":
    main(sys.argv[1:])
