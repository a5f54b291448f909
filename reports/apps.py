"""The reports app's configuration: its name and its label in the admin.
Imports Django; registers the app's system checks when it is ready.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Statistics and reports")

    def ready(self) -> None:
        from . import checks  # noqa: F401, PLC0415  (registers the system checks once apps are ready)
