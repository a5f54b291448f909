"""The consent page: a yes or no per purpose per party, and each party's finger signature. May
import models and the forms package's base."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Party, Purpose

YES, NO = "yes", "no"
SIGNATURE_MAX_CHARS = 420_000  # a 300 KB PNG in base64, with its data-URL prefix


def decision_field(party: Party, purpose: Purpose) -> str:
    return f"p{party.position}_{purpose.value}"


def signature_field(party: Party) -> str:
    return f"p{party.position}_signature"


class ConsentPageForm(forms.Form):
    """A yes or no per purpose and party, and one signature per party. The page offers the
    choice only where a purpose is not agreed yet (an agreement is withdrawn on its own page,
    behind a confirmation), but every answer is read, so a form sent twice lands on the records
    in force instead of being lost."""

    def __init__(self, *args: Any, parties: list[Party], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.parties = parties
        for party in parties:
            for purpose in Purpose:
                self.fields[decision_field(party, purpose)] = forms.ChoiceField(
                    label=f"{party.label} · {purpose.label}",
                    choices=[(YES, _("Agrees")), (NO, _("Does not agree"))],
                    widget=forms.RadioSelect,
                    required=False,
                )
            self.fields[signature_field(party)] = forms.CharField(
                widget=forms.HiddenInput, required=False, max_length=SIGNATURE_MAX_CHARS
            )

    def decisions(self) -> list[tuple[Party, str, bool]]:
        """(party, purpose, agreed) for every purpose answered on the form."""
        found = []
        for party in self.parties:
            for purpose in Purpose:
                answer = self.cleaned_data.get(decision_field(party, purpose))
                if answer in (YES, NO):
                    found.append((party, purpose.value, answer == YES))
        return found

    def signatures(self) -> list[tuple[Party, str]]:
        return [
            (party, self.cleaned_data[signature_field(party)])
            for party in self.parties
            if self.cleaned_data.get(signature_field(party))
        ]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.decisions() and not self.signatures():
            raise forms.ValidationError(
                _("Nothing was answered: choose agrees or does not agree for a purpose."),
                code="empty",
            )
        return data
