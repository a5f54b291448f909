"""The official calendar as stored: the State Council's rest days and make-up working days per
year (DOMAIN.md, 'The law that sets the clock'). The counting itself is mediation/calendar.py."""

from collections.abc import Iterable
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..calendar import OfficialCalendar
from .people import User


class OfficialCalendarYearQuerySet(models.QuerySet):
    def calendar(self, years: Iterable[int] | None = None) -> OfficialCalendar:
        """The pure calendar of the given years (all loaded years when None), in two queries."""
        year_rows = self if years is None else self.filter(year__in=list(years))
        loaded = frozenset(year_rows.values_list("year", flat=True))
        rest: set[date] = set()
        work: set[date] = set()
        days = OfficialCalendarDay.objects.filter(year__year__in=loaded).values_list("date", "kind")
        for day, kind in days:
            (rest if kind == OfficialCalendarDay.Kind.REST else work).add(day)
        return OfficialCalendar(
            rest_days=frozenset(rest), makeup_workdays=frozenset(work), loaded_years=loaded
        )


class OfficialCalendarYear(models.Model):
    """One year of the State Council's holiday notice (DOMAIN.md, 'The law that sets the clock')."""

    class Origin(models.TextChoices):
        PACKAGE = "package", _("from the chinese-calendar package")
        ENTERED = "entered", _("entered by an administrator")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    entered_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    objects = OfficialCalendarYearQuerySet.as_manager()

    class Meta:
        ordering = ["year"]
        verbose_name = _("official calendar year")
        verbose_name_plural = _("official calendar years")

    def __str__(self) -> str:
        return str(self.year)


class OfficialCalendarDay(models.Model):
    """A day that differs from the weekend rule: an official rest day or a make-up working day."""

    class Kind(models.TextChoices):
        REST = "rest", _("rest day")
        WORK = "work", _("make-up working day")

    year = models.ForeignKey(
        OfficialCalendarYear,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name=_("year"),
    )
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["date"]
        verbose_name = _("official calendar day")
        verbose_name_plural = _("official calendar days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"
