"""Forms for correcting registry outcomes. May import models and the forms package's base."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import TongxinForm


class VoidOutcomeForm(TongxinForm):
    """A supervisor voids a wrong outcome: the reason is kept with the voided record."""

    reason = forms.CharField(
        label=_("Why is this outcome wrong?"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For example: the date was typed wrongly, or the registry recorded another outcome. "
            "Do not write names here."
        ),
    )
