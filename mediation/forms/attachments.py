"""Attaching a scan to a case. May import models and the forms package's base."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Attachment, Case
from . import TongxinForm


class AttachmentForm(TongxinForm):
    kind = forms.ChoiceField(label=_("What is it?"), choices=Attachment.Kind.choices)
    party = forms.ChoiceField(label=_("Party"), required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG, at most 10 MB. It is stored encrypted."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        error_messages={"required": _("Choose the file to attach.")},
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", _("Both / the couple"))] + [
            (p.position, p.label) for p in case.parties.all()
        ]
