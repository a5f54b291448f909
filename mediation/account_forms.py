"""Forms of signing in and of account management: input checks and labels only, no side effects
(the changes are in mediation/services/accounts.py, grants.py and two_factor.py).

May import models and roles.
"""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .models import RegistryOffice, User
from .roles import Role

REASON_HELP = _("Kept in the audit trail with your name and the time.")


class SignInForm(AuthenticationForm):
    """Django's sign-in form, which also refuses a temporary password past its validity."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "temporary_password_expired": _(
            "This temporary password has expired. Ask the system administrator for a new one."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.temporary_password_expired():
            raise forms.ValidationError(
                self.error_messages["temporary_password_expired"],
                code="temporary_password_expired",
            )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "autocapitalize": "off",
                "spellcheck": "false",
                "class": "tx-code-input",
            }
        ),
    )


class EnrolmentCodeForm(CodeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("The six digits your app shows now")
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


class OwnPasswordForm(PasswordChangeForm):
    """The old password, then the new one twice (Django's checks and our validators); a new
    password equal to the old one is refused. Saving is the service's job."""

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error(
                "new_password1",
                forms.ValidationError(
                    _("Choose a new password, not the one you have now."), code="password_unchanged"
                ),
            )
        return cleaned


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in Role]


class AccountFilterForm(forms.Form):
    ACTIVE_CHOICES = [
        ("", _("Active and deactivated")),
        ("1", _("Active")),
        ("0", _("Deactivated")),
    ]

    q = forms.CharField(label=_("Name or account"), required=False, max_length=60)
    role = forms.ChoiceField(label=_("Role"), required=False)
    office = forms.ModelChoiceField(
        label=_("Registry office"),
        queryset=RegistryOffice.objects.order_by("code"),
        required=False,
        empty_label=_("All offices"),
    )
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            ("", _("All roles")),
            ("none", _("No role yet")),
            *role_choices(),
        ]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=REASON_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class AccountCreateForm(ReasonForm):
    username = forms.RegexField(
        label=_("Account name"),
        regex=r"^[a-z][a-z0-9_.-]{2,29}$",
        max_length=30,
        help_text=_("3 to 30 lower-case letters, digits, dots, dashes or underscores."),
        error_messages={
            "invalid": _("Use lower-case letters, digits, dots, dashes or underscores only.")
        },
    )
    full_name = forms.CharField(label=_("Full name"), max_length=60)
    email = forms.EmailField(label=_("E-mail address"), required=False)

    field_order = ["username", "full_name", "email", "reason"]


class AccountEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email"]


class GrantForm(ReasonForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple
    )
    offices = forms.ModelMultipleChoiceField(
        label=_("Registry offices"),
        queryset=RegistryOffice.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Counsellors and supervisors work at the offices they belong to."),
    )

    field_order = ["roles", "offices", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices()

    def clean_roles(self) -> list[Role]:
        return [Role(value) for value in self.cleaned_data["roles"]]
