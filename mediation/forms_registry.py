"""Forms of the registry, walk-in, contact and API-client pages: input checks and crispy
layouts, no side effects. May import models and forms; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import PHONE_ATTRS, TongxinForm
from .models import ApiScope, RegistryOffice, WalkInAnswer

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class RegistryUploadForm(TongxinForm):
    file = forms.FileField(
        label=_("Registry file (CSV or XLSX)"),
        help_text=_(
            "Columns: 申请编号, 事件 (受理/撤回/发证/视为撤回), 日期, 登记处代码, "
            "当事人一身份证号, 当事人二身份证号. Nothing is stored before you confirm."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."), code="type")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."), code="size")
        return upload


class ResolveEventForm(TongxinForm):
    resolution = forms.CharField(
        label=_("How it was resolved"),
        max_length=200,
        widget=forms.TextInput,
        help_text=_("For example: the counsellor's date was a typing error; corrected."),
    )
    accept_registry_date = forms.BooleanField(
        label=_("Take the registry's date for the case (its deadlines follow)"), required=False
    )


class WalkInForm(forms.Form):
    answer = forms.ChoiceField(choices=WalkInAnswer.choices)


class ContactForm(TongxinForm):
    safe_phone = forms.CharField(
        label=_("Safe number for text messages"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=PHONE_ATTRS),
        help_text=_(
            "After a positive safety screen, reminders go only to a number this party gave for "
            "it, never to a number the other spouse uses."
        ),
    )
    opted_out = forms.BooleanField(
        label=_("This party wants no text messages (as if they replied TD)"), required=False
    )


class ApiClientForm(TongxinForm):
    name = forms.CharField(label=_("Client name"), max_length=60)
    offices = forms.ModelMultipleChoiceField(
        label=_("Offices"),
        queryset=RegistryOffice.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
    )
    scopes = forms.MultipleChoiceField(
        label=_("Endpoints"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )
    rate_per_minute = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=600, initial=60
    )
