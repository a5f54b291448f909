"""Forms of the core app: input validation and crispy layouts, no side effects.

May import models; the rules of a change live in mediation/services/. The newer case-work forms
are in this package's modules (consent, notes, attachments, outcomes), which import from here.
"""

import re
from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..formats import long_date
from ..identity import InvalidIdNumber, normalise_id_number
from ..models import (
    AuditEvent,
    Case,
    Category,
    CounselingSession,
    CounsellingResult,
    FollowUp,
    OutcomeKind,
    Party,
    Port,
    Referral,
    RegistryOffice,
    SafetyScreen,
    Satisfaction,
    Service,
    User,
)
from ..models.cases import CANCEL_REASONS, NO_SHOW_REASONS

# Official calendar

# A full date (2027-01-01, 2027/1/1, 2027.1.1, 2027年1月1日), a date without the year as the
# State Council's notice writes it (1月1日), or a bare day after a range word (至3日), which keeps
# the month of the date before it.
DATE_PATTERN = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"|(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?"
    r"|(?P<d3>\d{1,2})\s*日"
)
# What a clerk copies around dates from the notice: weekday remarks in brackets, range words.
REMARK = re.compile(r"[（(][^）)]*[）)]")
FILLER = re.compile(r"[\s~～—–\-至到,，、:：;；。.]+|放假调休|放假|调休|共\d+天")
SEPARATORS = re.compile(r"[\s,，、;；。]+")


class _DateText:
    """Reads dates out of one line of text; errors name what could not be read."""

    def __init__(self, year: int | None) -> None:
        self.year = year

    def dates(self, text: str) -> tuple[list[date], str, list[str]]:
        """(dates found, the text left over, error messages) for one line."""
        found, problems, previous = [], [], None
        for match in DATE_PATTERN.finditer(text):
            raw = match.group(0).strip()
            if match.group("y"):
                year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
            elif match.group("m2"):
                year, month, day = self.year, int(match["m2"]), int(match["d2"])
            else:
                if previous is None:
                    problems.append(
                        gettext("“%(text)s” has no month: write it as 1月3日 or 2027年1月3日.")
                        % {"text": raw}
                    )
                    continue
                year, month, day = previous.year, previous.month, int(match["d3"])
            if year is None:
                problems.append(
                    gettext(
                        "“%(text)s” has no year: fill in the year above, or write 2027年1月1日."
                    )
                    % {"text": raw}
                )
                continue
            try:
                previous = date(year, month, day)
            except ValueError:
                problems.append(gettext("“%(text)s” is not a date.") % {"text": raw})
                continue
            found.append(previous)
        rest = DATE_PATTERN.sub(" ", text)
        return found, rest, problems


def _lines(text: str) -> list[tuple[int, str]]:
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)]


class CalendarYearForm(forms.Form):
    """A year of the State Council's notice, as a clerk copies it: one holiday per line."""

    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "min_value": _("Enter a year from 2000 to 2100."),
            "max_value": _("Enter a year from 2000 to 2100."),
        },
    )
    holidays = forms.CharField(
        label=_("Holidays"),
        widget=forms.Textarea(attrs={"rows": 9, "spellcheck": "false"}),
        help_text=_(
            "One holiday per line: first day, last day, name — for example "
            "“2027年1月1日至3日 元旦” or “2月6日至12日 春节”. A one-day holiday needs only one "
            "date. Include the weekend days inside the holiday."
        ),
    )
    makeup_workdays = forms.CharField(
        label=_("Make-up working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "The weekend days declared working days (调休上班), separated by spaces, commas or new "
            "lines — for example “2027年2月20日 10月9日”."
        ),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_(
            "The notice and its number, e.g. "
            "国务院办公厅关于2027年部分节假日安排的通知 国办发明电〔2026〕X号."
        ),
    )
    replace = forms.BooleanField(
        label=_("Replace the calendar entered earlier for this year"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def _reader(self) -> _DateText:
        year = self.cleaned_data.get("year")
        return _DateText(year)

    def clean_holidays(self) -> list[tuple[date, date, str]]:
        reader = self._reader()
        holidays, problems = [], []
        for number, line in _lines(self.cleaned_data["holidays"]):
            if not line:
                continue
            dates, rest, line_problems = reader.dates(REMARK.sub(" ", line))
            name = FILLER.sub(" ", rest).strip()
            problems += [
                gettext("Line %(number)s: %(problem)s") % {"number": number, "problem": problem}
                for problem in line_problems
            ]
            if line_problems:
                continue
            if not dates or len(dates) > 2:
                problems.append(
                    gettext(
                        "Line %(number)s: write a first day, a last day and a name, "
                        "e.g. 2027年1月1日至3日 元旦."
                    )
                    % {"number": number}
                )
                continue
            start, end = dates[0], dates[-1]
            if end < start:
                problems.append(
                    gettext(
                        "Line %(number)s: the last day %(end)s is before the first day %(start)s."
                    )
                    % {"number": number, "end": long_date(end), "start": long_date(start)}
                )
                continue
            if not name:
                problems.append(
                    gettext("Line %(number)s: the holiday has no name (e.g. 春节).")
                    % {"number": number}
                )
                continue
            year = self.cleaned_data.get("year")
            if year is not None and (start.year != year or end.year != year):
                # Also a rule of the service; said here so that every mistake shows at once.
                label = gettext("%(start)s to %(end)s") % {
                    "start": long_date(start),
                    "end": long_date(end),
                }
                problem = gettext("The holiday %(range)s is not inside the year %(year)s.") % {
                    "range": label,
                    "year": year,
                }
                problems.append(
                    gettext("Line %(number)s: %(problem)s") % {"number": number, "problem": problem}
                )
                continue
            holidays.append((start, end, name))
        if problems:
            raise forms.ValidationError(problems)
        return holidays

    def clean_makeup_workdays(self) -> list[date]:
        reader = self._reader()
        days, problems = [], []
        for number, line in _lines(self.cleaned_data["makeup_workdays"]):
            for token in SEPARATORS.split(REMARK.sub(" ", line)):
                if not token:
                    continue
                dates, rest, token_problems = reader.dates(token)
                if token_problems:
                    problems += [
                        gettext("Line %(number)s: %(problem)s")
                        % {"number": number, "problem": problem}
                        for problem in token_problems
                    ]
                elif len(dates) != 1 or FILLER.sub("", rest):
                    problems.append(
                        gettext("Line %(number)s: “%(text)s” is not a date.")
                        % {"number": number, "text": token}
                    )
                else:
                    problem = self._makeup_problem(dates[0])
                    if problem:
                        problems.append(
                            gettext("Line %(number)s: %(problem)s")
                            % {"number": number, "problem": problem}
                        )
                    days.append(dates[0])
        if problems:
            raise forms.ValidationError(problems)
        return days

    def _makeup_problem(self, day: date) -> str:
        """The service's rules for a make-up day, said here so that every mistake shows at once."""
        year = self.cleaned_data.get("year")
        if year is not None and day.year != year:
            return gettext("The make-up working day %(day)s is not inside the year %(year)s.") % {
                "day": long_date(day),
                "year": year,
            }
        if day.weekday() < 5:
            return gettext(
                "%(day)s is not a Saturday or Sunday: a make-up working day is always a "
                "weekend day."
            ) % {"day": long_date(day)}
        return ""


# Case work

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A tablet shows the keypad that suits the field: digits for a phone number, capitals without
# autocorrection for an ID number (which may end in X).
PHONE_ATTRS = {"type": "tel", "inputmode": "tel", "autocomplete": "off"}
ID_NUMBER_ATTRS = {
    "inputmode": "text",
    "autocomplete": "off",
    "spellcheck": "false",
    "autocapitalize": "characters",
}
TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


class TongxinForm(forms.Form):
    """A form with a crispy helper that leaves the <form> tag to the template."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class CaseOpenForm(TongxinForm):
    office = forms.ModelChoiceField(label=_("Registry office"), queryset=None, empty_label=None)
    port = forms.ChoiceField(label=_("Port"), choices=Port.choices, initial=Port.DIVORCE)
    category = forms.ChoiceField(
        label=_("Category (MZ/T 084)"), choices=Category.choices, initial=Category.MARITAL
    )
    received_on = forms.DateField(
        label=_("Date the registry received the divorce application"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("The cooling-off period is counted from the day after this date."),
    )
    party_count = forms.TypedChoiceField(
        label=_("Parties"),
        choices=[(2, _("Both spouses")), (1, _("One person"))],
        coerce=int,
        initial=2,
    )

    def __init__(self, *args: Any, offices: QuerySet[RegistryOffice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices


class CaseEditForm(TongxinForm):
    category = forms.ChoiceField(label=_("Category (MZ/T 084)"), choices=Category.choices)
    received_on = forms.DateField(
        label=_("Date the registry received the divorce application"),
        required=False,
        widget=DATE_INPUT,
    )


class PartyForm(TongxinForm):
    name = forms.CharField(label=_("Name"), max_length=60, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Party.Sex.choices], required=False)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        required=False,
        # Text, not a number pad: the 18th character may be X. Upper case as printed on the
        # card, and neither the browser nor the keyboard remembers or "corrects" it.
        widget=forms.TextInput(attrs=ID_NUMBER_ATTRS),
        help_text=_("18 characters; used to find this person's earlier cases at this office."),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"), min_value=1900, max_value=2030, required=False
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    education = forms.ChoiceField(
        label=_("Education"), choices=[("", "—"), *Party.Education.choices], required=False
    )
    occupation = forms.CharField(label=_("Occupation"), max_length=40, required=False)
    marital_status = forms.ChoiceField(
        label=_("Marital status"), choices=[("", "—"), *Party.MaritalStatus.choices], required=False
    )
    years_married = forms.IntegerField(
        label=_("Years married"), min_value=0, max_value=80, required=False
    )

    def clean_id_number(self) -> str:
        """The canonical ID number, or the reason it is not one, next to the field."""
        raw = self.cleaned_data["id_number"]
        if not raw.strip():
            return ""
        try:
            return normalise_id_number(raw)
        except InvalidIdNumber as error:
            raise forms.ValidationError(error.message, code="id_number_invalid") from None


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ScreenForm(TongxinForm):
    """A short domestic-violence screen (asked of each party alone)."""

    hurt = forms.ChoiceField(
        label=SafetyScreen.QUESTION_TEXTS["hurt"], choices=YES_NO, widget=forms.RadioSelect
    )
    afraid = forms.ChoiceField(
        label=SafetyScreen.QUESTION_TEXTS["afraid"], choices=YES_NO, widget=forms.RadioSelect
    )
    threatened = forms.ChoiceField(
        label=SafetyScreen.QUESTION_TEXTS["threatened"], choices=YES_NO, widget=forms.RadioSelect
    )
    controlled = forms.ChoiceField(
        label=SafetyScreen.QUESTION_TEXTS["controlled"], choices=YES_NO, widget=forms.RadioSelect
    )
    unsafe_home = forms.ChoiceField(
        label=SafetyScreen.QUESTION_TEXTS["unsafe_home"], choices=YES_NO, widget=forms.RadioSelect
    )
    alone = forms.BooleanField(
        label=_("The other party was not present during this screen."),
        error_messages={
            "required": _("Screen each party alone: confirm the other was not present.")
        },
    )

    def answers(self) -> dict[str, bool]:
        return {q: self.cleaned_data[q] == "yes" for q in SafetyScreen.QUESTIONS}

    @classmethod
    def question_labels(cls) -> dict[str, str]:
        return {q: str(text) for q, text in SafetyScreen.QUESTION_TEXTS.items()}


SESSION_TIMES = ["08:30", "09:30", "10:30", "13:30", "14:30", "15:30", "16:30"]


class SessionBookForm(TongxinForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CounselingSession.Kind.choices, widget=forms.RadioSelect
    )
    party = forms.ChoiceField(label=_("Party (individual sessions)"), required=False)
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    time = forms.TimeField(label=_("Time"), widget=TIME_INPUT)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=10, max_value=240, initial=50
    )
    room = forms.CharField(label=_("Room"), max_length=30)
    lead_counselor = forms.ModelChoiceField(label=_("Counsellor"), queryset=None, empty_label=None)

    def __init__(self, *args: Any, case: Case, counselors: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", "—")] + [
            (p.position, p.label) for p in case.parties.all()
        ]
        self.fields["lead_counselor"].queryset = counselors

    def clean(self):
        data = super().clean()
        if data.get("kind") == CounselingSession.Kind.INDIVIDUAL and not data.get("party"):
            self.add_error("party", _("Choose the party for an individual session."))
        return data


class SessionHoldForm(TongxinForm):
    services = forms.MultipleChoiceField(
        label=_("Services delivered"), choices=Service.choices, widget=forms.CheckboxSelectMultiple
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=10, max_value=240
    )


class ResultForm(TongxinForm):
    result = forms.ChoiceField(
        label=_("Counselling result (MZ/T 084)"),
        choices=CounsellingResult.choices,
        widget=forms.RadioSelect,
    )
    result_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)


class OutcomeForm(TongxinForm):
    """A registry outcome by hand: every kind but 'lapsed', which only the clock records."""

    kind = forms.ChoiceField(
        label=_("Registry outcome"),
        choices=[(k, label) for k, label in OutcomeKind.choices if k != OutcomeKind.LAPSED],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)


class ReferralForm(TongxinForm):
    destination = forms.ChoiceField(label=_("Referred to"), choices=Referral.Destination.choices)
    party = forms.ChoiceField(label=_("Party"), required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    referred_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", _("Both / the couple"))] + [
            (p.position, p.label) for p in case.parties.all()
        ]


class FollowUpForm(TongxinForm):
    status = forms.ChoiceField(
        label=_("Result of the call"),
        choices=[
            (FollowUp.Status.DONE, _("Reached")),
            (FollowUp.Status.UNREACHABLE, _("Could not be reached")),
        ],
        widget=forms.RadioSelect,
    )
    reconciliation_held = forms.TypedChoiceField(
        label=_("Did the reconciliation hold?"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    done_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)


class SatisfactionForm(TongxinForm):
    party = forms.ChoiceField(label=_("Party"), required=False)
    anonymous = forms.BooleanField(
        label=_("Anonymous answer (not linked to the party)"), required=False
    )
    rating = forms.ChoiceField(
        label=_("Satisfaction"), choices=Satisfaction.Rating.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", "—")] + [
            (p.position, p.label) for p in case.parties.all()
        ]


class AssignForm(TongxinForm):
    counselor = forms.ModelChoiceField(label=_("Counsellor"), queryset=None)

    def __init__(self, *args: Any, counselors: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counselor"].queryset = counselors


class UnassignForm(forms.Form):
    """The 'Remove' button next to one of the case's counsellors."""

    unassign = forms.ModelChoiceField(
        queryset=None,
        error_messages={"invalid_choice": _("This counsellor is not assigned to the case.")},
    )

    def __init__(self, *args: Any, assigned: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unassign"].queryset = assigned


class SessionCancelForm(TongxinForm):
    """'Cancel' or 'Did not come' on a booked session: the reason is asked each time."""

    reason = forms.ChoiceField(label=_("Reason"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, no_show: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reasons = NO_SHOW_REASONS if no_show else CANCEL_REASONS
        field = self.fields["reason"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(reason.value, reason.label) for reason in reasons]


DEADLINE_FILTERS = [
    ("", _("any")),
    ("7", _("cooling-off ends within 7 days")),
    ("30", _("cooling-off ends within 30 days")),
    ("window", _("in the certificate window")),
    ("provisional", _("provisional deadlines")),
]


def _bootstrap_widgets(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


ALL = "all"


class CaseFilterForm(forms.Form):
    """The filters of a case list, kept in its URL; open cases unless asked otherwise."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[*Case.Status.choices, (ALL, _("any"))],
        required=False,
        initial=Case.Status.OPEN,
    )
    counselor = forms.ModelChoiceField(
        label=_("Counsellor"), queryset=None, required=False, empty_label=_("any")
    )
    deadline = forms.ChoiceField(label=_("Deadline"), choices=DEADLINE_FILTERS, required=False)
    port = forms.ChoiceField(
        label=_("Port"), choices=[("", _("any")), *Port.choices], required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("any")), *Category.choices], required=False
    )

    def __init__(self, *args: Any, counselors: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if counselors is None:
            del self.fields["counselor"]
        else:
            self.fields["counselor"].queryset = counselors
        _bootstrap_widgets(self)


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False)
    username = forms.CharField(label=_("Account"), required=False)
    office = forms.CharField(label=_("Office"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("any")), *AuditEvent.Outcome.choices], required=False
    )
    day = forms.DateField(label=_("Date"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap_widgets(self)


class CaseSearchForm(forms.Form):
    """One box for a case number, a party's full name or an ID number; always posted, so no
    name or ID number ever stands in a URL, a log line or a Location header."""

    q = forms.CharField(
        label=_("Case number, party's full name or ID number"),
        max_length=60,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "enterkeyhint": "search",
                "type": "search",
            }
        ),
    )


class ReassignForm(TongxinForm):
    """Move one counsellor's cases at an office to a colleague (when they leave)."""

    cases = forms.ModelMultipleChoiceField(
        label=_("Cases to move"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    to_counselor = forms.ModelChoiceField(
        label=_("Colleague who takes them"), queryset=None, empty_label=None
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=200,
        help_text=_("For example: leaves the service at the end of the month."),
    )

    def __init__(
        self, *args: Any, cases: QuerySet[Case], counselors: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["cases"].label_from_instance = lambda case: case.number
        self.fields["to_counselor"].queryset = counselors
        self.fields["to_counselor"].label_from_instance = lambda user: user.display_name
        self.fields["to_counselor"].widget.attrs["class"] = "form-select"
        self.fields["reason"].widget.attrs["class"] = "form-control"


class RoomForm(TongxinForm):
    name = forms.CharField(label=_("Name"), max_length=30)
    capacity = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=50,
        initial=4,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("How many people the room seats, counsellors included."),
    )
    joint_sessions = forms.BooleanField(
        label=_("Suitable for joint sessions"), required=False, initial=True
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)
