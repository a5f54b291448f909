"""The core tables: users, registry offices and memberships (and, below, the case work).

Imports nothing of counselors or reports (ARCHITECTURE.md).
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .calendar import OfficialCalendar


class User(AbstractUser):
    """A person who signs in. Chinese names are written whole, so there is one name field."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class RegistryOfficeQuerySet(models.QuerySet):
    def of_user(self, user) -> "RegistryOfficeQuerySet":
        """The offices a user belongs to through OfficeMembership."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user).distinct()


class RegistryOffice(models.Model):
    """A marriage registry office (婚姻登记处) with its mediation room."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    city = models.CharField(_("city"), max_length=30, default="盘锦市")
    address = models.CharField(_("address"), max_length=120, blank=True)
    opened_on = models.DateField(_("mediation room opened on"), null=True, blank=True)
    rooms = models.PositiveSmallIntegerField(_("mediation rooms"), default=1)

    objects = RegistryOfficeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("registry office")
        verbose_name_plural = _("registry offices")
        permissions = [
            ("work_cases", _("Can work on assigned cases")),
            ("supervise_office", _("Can supervise all cases of their offices")),
            ("view_own_duty", _("Can see their own duty roster")),
            ("view_statistics", _("Can see anonymised statistics and reports")),
            ("plan_rotation", _("Can plan and publish the rotation")),
            ("manage_calendar", _("Can maintain the official calendar")),
            ("view_audit_trail", _("Can browse the audit trail")),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class OfficeMembership(models.Model):
    """A user belongs to an office; a counsellor who rotates through two rooms has two rows."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    office = models.ForeignKey(RegistryOffice, on_delete=models.PROTECT, related_name="memberships")
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("office membership")
        verbose_name_plural = _("office memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "office"], name="membership_unique_user_office")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.office.code}"


# Official calendar


class OfficialCalendarYearQuerySet(models.QuerySet):
    def calendar(self, years: Iterable[int] | None = None) -> OfficialCalendar:
        """The pure calendar of the given years (all loaded years when None), in two queries."""
        year_rows = self if years is None else self.filter(year__in=list(years))
        loaded = frozenset(year_rows.values_list("year", flat=True))
        rest, work = set(), set()
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
