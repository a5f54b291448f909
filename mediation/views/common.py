"""What the case-work pages share: a service's errors put on the form, the case page frame with
its deadlines. May import forms, models and services; holds no rule of its own."""

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ..http import AuthenticatedHttpRequest
from ..models import Case, Party


def form_errors_from(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where it names one the form has,
    else at the top. Nothing the user typed is lost (the form is re-rendered with its data)."""
    if hasattr(error, "error_dict"):
        for field_name, errors in error.error_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def days_until(day: date | None, today: date) -> int | None:
    return None if day is None else (day - today).days


def deadline_context(case: Case) -> dict[str, Any]:
    """The days left shown in the case header."""
    today = timezone.localdate()
    return {
        "today": today,
        "cooling_days_left": days_until(case.cooling_off_ends_on, today),
        "window_days_left": days_until(case.certificate_window_ends_on, today),
    }


def render_case_form(
    request: AuthenticatedHttpRequest,
    case: Case,
    form: forms.Form,
    *,
    title: str,
    intro: str = "",
    submit: str | None = None,
    template: str = "mediation/case_form.html",
    **extra: Any,
) -> HttpResponse:
    context = {
        "case": case,
        "form": form,
        "title": title,
        "intro": intro,
        "submit": submit or _("Save"),
    }
    context.update(extra)
    context.update(deadline_context(case))
    return render(request, template, context)


def party_of(case: Case, position: int) -> Party:
    return get_object_or_404(case.parties, position=position)
