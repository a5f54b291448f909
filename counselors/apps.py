from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounselorsConfig(AppConfig):
    name = "counselors"
    verbose_name = _("Counsellors and duty")

    def ready(self) -> None:
        from mediation.signals import demo_seeded

        from . import receivers

        demo_seeded.connect(receivers.seed_demo, dispatch_uid="counselors.seed_demo")

    def generated_data(self, *, seed: int, log) -> None:
        """`manage.py generate` calls this after the core's cases: profiles, coverage, rosters."""
        from . import generator

        generator.generated_data(seed=seed, log=log)
