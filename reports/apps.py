"""The reports app's configuration: its name and its label in the admin, its system checks
(registered when it is ready) and its part of `manage.py generate`. Imports Django only when
loaded (the hook imports the summary).
"""

import time

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Statistics and reports")

    def ready(self) -> None:
        from . import checks  # noqa: F401, PLC0415  (registers the system checks once apps are ready)

    def generated_data(self, *, seed: int, log) -> None:
        """`manage.py generate` calls this last: the statistics summary counts the new cases."""
        from . import rollup  # noqa: PLC0415

        start = time.perf_counter()
        rows = rollup.build()
        log(f"Statistics summary: {rows} rows in {time.perf_counter() - start:.1f} s.")
