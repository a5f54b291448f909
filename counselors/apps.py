from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounselorsConfig(AppConfig):
    name = "counselors"
    verbose_name = _("Counsellors and duty")
