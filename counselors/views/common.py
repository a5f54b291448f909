"""What the duty pages share: the half-days, the roster URL of a month, a service's refusal put on
the form. Holds no rule of its own."""

from datetime import date

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.urls import reverse

from ..models import HalfDay

HALVES = [HalfDay.AM, HalfDay.PM]


def month_url(name: str, city: str, month: date) -> str:
    return f"{reverse(name)}?city={city}&month={month:%Y-%m}"


def add_error(form: BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form: beside the field it names when the form has that field,
    above the form otherwise (nothing the user typed is lost)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
