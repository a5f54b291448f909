"""Seed the official calendar 2004-2026 from the chinese-calendar package (origin 'package').

Later years come from the State Council's notice, entered by an administrator on the calendar
pages; the package is read here only, so the seeded years stay fixed whatever it learns later.
"""

import datetime
from importlib.metadata import version

from django.db import migrations

FIRST_YEAR, LAST_YEAR = 2004, 2026
MAKEUP_NAME = "调休上班"


def package_days() -> dict[int, list[tuple[datetime.date, str, str]]]:
    """Per year: (date, kind, Chinese name) for every official rest day and make-up working day."""
    from chinese_calendar.constants import Holiday, holidays, workdays

    def chinese(english: str) -> str:
        return Holiday(english).chinese

    rest = {day: chinese(name) for day, name in holidays.items()}
    # The package leaves out a few weekend days inside a holiday block (e.g. 2011-06-05); they are
    # rest days anyway, but the notice counts them in the block, so the year view shows them.
    for day in sorted(rest):
        gap = day + datetime.timedelta(days=1)
        while gap.weekday() >= 5 and gap not in rest and gap not in workdays:
            gap += datetime.timedelta(days=1)
        if gap != day + datetime.timedelta(days=1) and rest.get(gap) == rest[day]:
            filler = day + datetime.timedelta(days=1)
            while filler < gap:
                rest[filler] = rest[day]
                filler += datetime.timedelta(days=1)
    per_year: dict[int, list[tuple[datetime.date, str, str]]] = {}
    for day, name in rest.items():
        per_year.setdefault(day.year, []).append((day, "rest", name))
    for day in workdays:
        per_year.setdefault(day.year, []).append((day, "work", MAKEUP_NAME))
    return per_year


def forwards(apps, schema_editor):
    Year = apps.get_model("mediation", "OfficialCalendarYear")
    Day = apps.get_model("mediation", "OfficialCalendarDay")
    source = f"chinese-calendar {version('chinesecalendar')}"
    per_year = package_days()
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if Year.objects.filter(year=year).exists():
            continue
        row = Year.objects.create(year=year, source=source, origin="package")
        Day.objects.bulk_create(
            Day(year=row, date=day, kind=kind, name=name)
            for day, kind, name in sorted(per_year.get(year, []))
        )


def backwards(apps, schema_editor):
    apps.get_model("mediation", "OfficialCalendarYear").objects.filter(origin="package").delete()


class Migration(migrations.Migration):
    dependencies = [("mediation", "0003_official_calendar")]

    operations = [migrations.RunPython(forwards, backwards)]
