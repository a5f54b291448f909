"""Forms of the duty app: input checks and crispy layouts only; the rules live in services/.
May import models and mediation's models."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, overload

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediation import formats
from mediation.calendar import month_start
from mediation.models import Case, RegistryOffice, Room, User

from .models import CounselorProfile, CoverageRule, Duty, HalfDay, Qualification, Unavailability

if TYPE_CHECKING:  # forms import no service; the booking slot's type only, for mypy
    from django_stubs_ext import StrOrPromise

    from .services.booking import BookingSlot, Taken

# The browser's date picker reads and writes ISO dates.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Crispy:
    def _crispy(self) -> None:
        self.helper = FormHelper()
        self.helper.form_tag = False


@overload
def parse_month(value: str | None, default: date) -> date: ...
@overload
def parse_month(value: str | None, default: None) -> date | None: ...
def parse_month(value: str | None, default: date | None) -> date | None:
    """'2026-10' as the first of that month; the default's month when empty or unreadable."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return month_start(default) if default else None


class PlanForm(_Crispy, forms.Form):
    offices = forms.ModelMultipleChoiceField(
        label=_("Offices"),
        queryset=RegistryOffice.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked to plan every office of the city."),
    )

    def __init__(self, *args: Any, city: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = RegistryOffice.objects.filter(city=city)
        self._crispy()


class RepairForm(_Crispy, forms.Form):
    repair_from = forms.DateField(
        label=_("Change duties from"),
        widget=DATE_INPUT,
        help_text=_("Duties before this day stay as published."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._crispy()


class UnavailabilityForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Unavailability
        fields = ["kind", "start", "end", "half_day", "note"]
        widgets = {
            "start": DATE_INPUT,
            "end": DATE_INPUT,
        }

    def __init__(self, *args: Any, administrator: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["half_day"].choices = [("", _("whole day")), *HalfDay.choices]
        if not administrator:
            # A counsellor declares leave or unavailability; a sudden absence is reported to
            # and entered by the administrator.
            self.fields["kind"].choices = [
                choice
                for choice in Unavailability.Kind.choices
                if choice[0] != Unavailability.Kind.ABSENCE
            ]
        self._crispy()


class ProfileForm(_Crispy, forms.ModelForm):
    class Meta:
        model = CounselorProfile
        fields = [
            "organisation",
            "role",
            "home_office",
            "offices",
            "max_half_days_per_week",
            "max_half_days_per_month",
            "in_rotation",
        ]
        widgets = {"offices": forms.CheckboxSelectMultiple}
        # The model field has no verbose name; a label here spares a migration for a label.
        labels = {"organisation": _("organisation")}

    def __init__(self, *args: Any, offices: QuerySet[RegistryOffice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = offices
        self.fields["home_office"].queryset = offices
        self._crispy()


class NewProfileForm(ProfileForm):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.none())

    class Meta(ProfileForm.Meta):
        fields = ["user", *ProfileForm.Meta.fields]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            groups__name__in=["counselor", "supervisor"], counselor_profile=None
        ).order_by("full_name", "username")


class QualificationForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ["kind", "name", "certificate_number", "expires_on"]
        widgets = {"expires_on": DATE_INPUT}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._crispy()


class CoverageRuleForm(_Crispy, forms.ModelForm):
    class Meta:
        model = CoverageRule
        fields = ["needed_am", "needed_pm", "qualified_required", "room_capacity"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._crispy()


class SwapForm(_Crispy, forms.Form):
    colleague = forms.ModelChoiceField(
        label=_("Colleague"), queryset=CounselorProfile.objects.none()
    )
    exchange = forms.ModelChoiceField(
        label=_("Their duty you take in exchange (optional)"),
        queryset=Duty.objects.none(),
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, duty: Duty, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = (
            CounselorProfile.objects.filter(offices=duty.office_id, in_rotation=True)
            .exclude(pk=duty.counselor_id)
            .select_related("user")
        )
        self.fields["colleague"].label_from_instance = lambda p: p.display_name
        self.fields["exchange"].queryset = (
            Duty.objects.filter(roster=duty.roster, day__gt=month_start(duty.day))
            .exclude(counselor=duty.counselor_id)
            .select_related("counselor__user", "office")
            .order_by("day", "half_day")
        )
        self.fields["exchange"].label_from_instance = lambda d: (
            f"{formats.short_date(d.day)} {HalfDay(d.half_day).label} {d.office.display_name} "
            f"· {d.counselor.display_name}"
        )
        self._crispy()

    def clean(self):
        data = super().clean()
        colleague, exchange = data.get("colleague"), data.get("exchange")
        if colleague and exchange and exchange.counselor_id != colleague.pk:
            self.add_error("exchange", _("Choose one of the colleague's own duties."))
        return data


def slot_value(counselor_id: int, starts_at: datetime) -> str:
    """A duty slot as a form value: '<user id>|<ISO start>'."""
    return f"{counselor_id}|{starts_at.isoformat()}"


def parse_slot(value: str) -> tuple[int, datetime] | None:
    """The counsellor's user id and the aware start of a slot value; None when unreadable."""
    user_id, _sep, iso = value.partition("|")
    try:
        starts_at = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if not user_id.isdigit() or timezone.is_naive(starts_at):
        return None
    return int(user_id), starts_at


class SlotField(forms.ChoiceField):
    """One of the offered duty slots. A slot someone else booked since the page was drawn is no
    longer offered: it is refused as taken, not as an unknown choice."""

    default_error_messages = {"taken": _("This time slot is already booked.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.taken: set[tuple[int, datetime]] = set()

    def validate(self, value: str) -> None:
        if value and not self.valid_value(value) and parse_slot(value) in self.taken:
            raise ValidationError(self.error_messages["taken"], code="slot_taken")
        super().validate(value)

    def clean(self, value: str) -> tuple[int, datetime] | None:
        cleaned = super().clean(value)
        return parse_slot(cleaned) if cleaned else None


class DutyBookingForm(_Crispy, forms.Form):
    """Book a session into one of the offered duty slots, in one of the office's rooms."""

    slot = SlotField(label=_("Time and counsellor"), widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect)
    party = forms.ChoiceField(label=_("Party (individual sessions)"), required=False)
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.none(), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(
        self,
        *args: Any,
        slots: "Sequence[BookingSlot]",
        taken: "Taken",
        case: Case,
        kinds: "Sequence[tuple[str, StrOrPromise]]",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (slot_value(slot.duty.counselor.user_id, slot.starts_at), slot_label(slot))
            for slot in slots
        ]
        self.fields["slot"].taken = taken
        self.fields["kind"].choices = kinds
        self.fields["party"].choices = [("", "—")] + [
            (party.position, party.label) for party in case.parties.all()
        ]
        self.fields["party"].widget.attrs["class"] = "form-select"
        self.rooms = Room.objects.filter(office=case.office, active=True)
        self.fields["room"].queryset = self.rooms
        self._crispy()

    def clean(self):
        data = super().clean()
        if data.get("kind") == "individual" and not data.get("party"):
            self.add_error("party", _("Choose the party for an individual session."))
        return data


def slot_label(slot) -> str:
    local = timezone.localtime(slot.starts_at)
    text = f"{formats.long_date(local)} {local:%H:%M} · {slot.duty.counselor.display_name}"
    if slot.continuity:
        text += " · " + str(_("has seen this couple before"))
    return text


class SwapApprovalForm(_Crispy, forms.Form):
    """Approving a swap; when it would weaken cover, only with the override and its reason."""

    override = forms.BooleanField(
        label=_("Approve anyway: I have made sure the office is covered otherwise"),
        required=False,
    )
    override_reason = forms.CharField(
        label=_("Why approve it anyway"), max_length=200, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._crispy()
