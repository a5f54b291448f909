"""`manage.py generate` gives every counsellor a profile and each city a published roster, so
counsellors can book sessions of generated cases into their duty."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.apps import apps

from counselors.models import CounselorProfile, CoverageRule, Roster
from counselors.services import booking
from mediation.generator import generate
from mediation.models import Case, RegistryOffice, User

NOW = datetime(2026, 11, 30, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_generated_counsellors_get_profiles_rosters_and_free_slots(db):
    with time_machine.travel(NOW, tick=False):
        generate(cases=150, offices=5, years=1, seed=7, hooks=False, log=str)
        apps.get_app_config("counselors").generated_data(seed=7, log=str)

        counselors = User.objects.filter(username__contains="_counselor_")
        assert counselors.exists()
        assert CounselorProfile.objects.filter(user__in=counselors).count() == counselors.count()
        assert CoverageRule.objects.count() == RegistryOffice.objects.count()
        published = set(Roster.objects.published().values_list("city", "month"))
        assert {(city, NOW.date().replace(day=1)) for city in ("盘锦市", "沈阳市")} <= published
        open_cases = Case.objects.filter(status=Case.Status.OPEN, office__code="XLT")
        assert any(booking.booking_slots(case=case) for case in open_cases)


def test_the_hook_adds_nothing_twice(db):
    with time_machine.travel(NOW, tick=False):
        generate(cases=40, offices=4, years=1, seed=8, hooks=False, log=str)
        config = apps.get_app_config("counselors")
        config.generated_data(seed=8, log=str)
        before = (CounselorProfile.objects.count(), Roster.objects.count())
        config.generated_data(seed=8, log=str)

    assert (CounselorProfile.objects.count(), Roster.objects.count()) == before
