"""Forms of the core app: input validation and crispy layouts, no side effects.

May import models; the rules of a change live in services.py.
"""

import re
from datetime import date

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
                        gettext("“%(text)s” has no month: write it as 1月3日 or 2027-01-03.")
                        % {"text": raw}
                    )
                    continue
                year, month, day = previous.year, previous.month, int(match["d3"])
            if year is None:
                problems.append(
                    gettext("“%(text)s” has no year: fill in the year above, or write 2027-01-01.")
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
            "“2027-01-01 2027-01-03 元旦” or “2月6日至12日 春节”. A one-day holiday needs only one "
            "date. Include the weekend days inside the holiday."
        ),
    )
    makeup_workdays = forms.CharField(
        label=_("Make-up working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "The weekend days declared working days (调休上班), separated by spaces, commas or new "
            "lines — for example “2027-02-20 2027-10-09”."
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

    def __init__(self, *args, **kwargs) -> None:
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
                        "e.g. 2027-01-01 2027-01-03 元旦."
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
                    % {"number": number, "end": end.isoformat(), "start": start.isoformat()}
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
                    "start": start.isoformat(),
                    "end": end.isoformat(),
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
                "day": day.isoformat(),
                "year": year,
            }
        if day.weekday() < 5:
            return gettext(
                "%(day)s is not a Saturday or Sunday: a make-up working day is always a "
                "weekend day."
            ) % {"day": day.isoformat()}
        return ""
