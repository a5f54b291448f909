"""Forms of the reports app: choosing offices and a period (months, or a preset); asking for a
report; no side effects.
May import reports' periods, mediation's calendar and RegistryOffice, crispy-forms.
"""

import re
from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediation.calendar import add_months, month_start
from mediation.models import RegistryOffice

from . import periods
from .periods import Period

MAX_MONTHS = 120


MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def parse_month(text: str) -> date:
    """'2021-08' to 1 August 2021; ValueError for anything else."""
    match = MONTH.match(text or "")
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), 1)


def month_value(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month picker), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError:
            raise forms.ValidationError(
                _("Enter a month as year and month, like 2021-08."), code="month"
            ) from None


def opened_since() -> date:
    first = RegistryOffice.objects.exclude(opened_on=None).order_by("opened_on").first()
    if first is None or first.opened_on is None:
        return month_start(timezone.localdate())
    return month_start(first.opened_on)


class DashboardForm(forms.Form):
    offices = forms.ModelMultipleChoiceField(
        label=_("Offices"),
        queryset=RegistryOffice.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        to_field_name="code",
    )
    first = MonthField(label=_("From month"), required=False)
    last = MonthField(label=_("To month"), required=False)
    preset = forms.ChoiceField(
        choices=[(preset.value, label) for preset, label in periods.PRESET_LABELS.items()],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        """The period: a preset, or the months chosen (one of them alone is that month), or
        else the last full month; never past the current month, at most ten years."""
        data = super().clean()
        today = timezone.localdate()
        current = month_start(today)
        offices = list(data.get("offices") or RegistryOffice.objects.order_by("code"))
        opened = [office.opened_on for office in offices if office.opened_on]
        first, last = data.get("first"), data.get("last")
        if data.get("preset"):
            period = periods.preset(data["preset"], today, min(opened, default=opened_since()))
            first, last = period.first, period.last
        elif not first and not last:
            period = periods.last_full_month(today)
            first, last = period.first, period.last
        first, last = first or last, last or first
        if last > current:
            last = current
        if first > last:
            self.add_error("first", _("The first month must not be after the last."))
            first = last
        elif add_months(first, MAX_MONTHS) <= last:
            self.add_error("first", _("Choose a period of at most ten years."))
        data["first"], data["last"] = first, last
        data["period"] = Period(first, last)
        data["offices"] = offices
        return data


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of report"),
        choices=[(kind.value, periods.KIND_LABELS[kind]) for kind in periods.REPORT_KINDS],
        initial=periods.Kind.MONTH.value,
        widget=forms.RadioSelect,
        required=False,
    )
    month = MonthField(
        label=_("Month"),
        help_text=_("A quarterly or annual report covers the quarter or the year of this month."),
    )
    offices = forms.ModelMultipleChoiceField(
        label=_("Offices (none chosen: all)"),
        queryset=RegistryOffice.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        to_field_name="code",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        if data.get("month"):
            data["period"] = periods.of_kind(data.get("kind") or periods.Kind.MONTH, data["month"])
        return data
