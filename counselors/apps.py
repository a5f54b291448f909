from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounselorsConfig(AppConfig):
    name = "counselors"
    verbose_name = _("Counsellors and duty")

    def seed_demo(self, profile: str) -> None:
        """Called by mediation's `seed_demo` command after the core demo accounts exist."""
        # Imported here: the demo needs models, which cannot be imported while apps load.
        from . import demo  # noqa: PLC0415

        demo.seed(profile)

    def generated_data(self, *, seed: int, log) -> None:
        """Called by mediation's `generate` command after the core's cases: profiles,
        coverage rules, published rosters."""
        from . import generator  # noqa: PLC0415

        generator.generated_data(seed=seed, log=log)
