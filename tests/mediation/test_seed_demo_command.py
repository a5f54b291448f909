"""`manage.py seed_demo` asks the other apps for their demo data through an explicit hook on
their AppConfig, in INSTALLED_APPS order; the core imports none of them (ARCHITECTURE.md)."""

from datetime import date

from django.apps import apps

from counselors.models import Roster
from mediation import demo
from mediation.management.commands.seed_demo import seed_installed_apps


def test_every_app_that_defines_the_hook_adds_its_demo_in_installed_apps_order(db):
    demo.seed_accounts()

    seeded = seed_installed_apps("default")

    hooked = [c.label for c in apps.get_app_configs() if callable(getattr(c, "seed_demo", None))]
    assert seeded == hooked == ["counselors"]
    assert Roster.objects.published().filter(month=date(2026, 11, 1)).exists()
