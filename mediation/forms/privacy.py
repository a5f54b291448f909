"""Forms of the privacy pages: a person's requests, the legal hold, the privacy register. Input
checks only. May import models and the forms package's base."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..models import PersonRequest
from . import TongxinForm

NO_NAMES = _("Do not write names or ID numbers here.")


class PersonFindForm(TongxinForm):
    """The person's ID number, posted (never in a URL: SECURITY.md)."""

    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class HoldForm(TongxinForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=format_lazy(
            "{}{}", _("For example: the court's request of 1 December, file number. "), NO_NAMES
        ),
    )


class CorrectionForm(TongxinForm):
    field = forms.ChoiceField(
        label=_("Field to correct"),
        choices=[
            ("name", _("Name")),
            ("id_number", _("ID number")),
            ("phone", _("Phone")),
            ("address", _("Address")),
        ],
    )
    value = forms.CharField(label=_("Correct value"), max_length=200, required=False)
    reason = forms.CharField(
        label=_("Why"),
        max_length=200,
        help_text=format_lazy(
            "{}{}", _("For example: the person showed their identity card. "), NO_NAMES
        ),
    )


class DeletionForm(TongxinForm):
    deferral = forms.ChoiceField(
        label=_("Carry it out, or why the law lets it wait"),
        choices=[("", _("Delete now")), *PersonRequest.Deferral.choices],
        required=False,
        help_text=_(
            "A case under a legal hold always waits. Deleting destroys the keys of the person's "
            "sealed data: it cannot be undone."
        ),
    )
    note = forms.CharField(label=_("Remarks"), max_length=200, required=False, help_text=NO_NAMES)


class PrivacyDocumentForm(TongxinForm):
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 18}))
