"""The Chinese words for the registry events' codes: a row's error, a file that cannot be read,
why an event waits for the supervisor. Shared by the upload, the API and the supervisor's list.
May import registry_file."""

from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..registry_file import FileError, RowError

FIELD_LABELS = {
    "application_number": gettext_lazy("application number"),
    "kind": gettext_lazy("event"),
    "date": gettext_lazy("date"),
    "office": gettext_lazy("office"),
    "id_number_1": gettext_lazy("first party's ID number"),
    "id_number_2": gettext_lazy("second party's ID number"),
}


def row_error_message(error: RowError) -> str:
    """A row's error in the supervisor's words (the preview shows its line number beside it)."""
    label = FIELD_LABELS.get(error.field, error.field)
    return {
        "required": _("%(field)s is missing."),
        "application_number": _("%(field)s may hold only letters, digits and hyphens."),
        "kind": _("%(field)s must be 受理, 撤回, 发证 or 视为撤回."),
        "date": _("%(field)s is not a date (write 2026-12-01)."),
        "id_length": _("%(field)s does not have 18 characters."),
        "id_characters": _("%(field)s must be 17 digits followed by a digit or X."),
        "id_birth_date": _("The birth date inside %(field)s does not exist."),
        "id_check_digit": _("The check digit of %(field)s does not match. Please check it."),
        "same_person": _("The two parties' ID numbers are the same."),
        "duplicate_in_file": _("This application and event appear twice in the file."),
    }.get(error.code, _("%(field)s is not valid.")) % {"field": label}


def file_error_message(error: FileError) -> str:
    return {
        "unreadable": _("The file cannot be read. Upload the registry's CSV or XLSX export."),
        "empty": _("The file has no rows."),
        "columns": _("The file lacks these columns: %(columns)s.") % {"columns": error.detail},
        "too_many_rows": _("The file has more than %(max)s rows; split it.")
        % {"max": error.detail},
    }.get(error.code, _("The file cannot be read."))


REASON_MESSAGES = {
    "outside_window": gettext_lazy(
        "The date lies outside the legal window of this outcome (%(first)s to %(last)s): "
        "held for the supervisor."
    ),
    "received_date_differs": gettext_lazy(
        "The registry received the application on %(registry)s, the case says %(recorded)s: "
        "listed for the supervisor."
    ),
    "outcome_differs": gettext_lazy(
        "The case already has another registry outcome (%(recorded)s): listed for the supervisor."
    ),
    "partial_match": gettext_lazy(
        "Only one of the two parties matches case %(case)s: a new case was opened and listed "
        "for the supervisor."
    ),
    "several_cases": gettext_lazy(
        "Several cases match this couple; linked to %(case)s and listed for the supervisor."
    ),
}


def shown_date(value: object) -> str:
    """A stored ISO date as the interface writes dates (2026年11月2日); anything else as is."""
    try:
        return date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)


def reason_message(reason: str, details: dict[str, Any]) -> str:
    """Why an event waits for the supervisor, in words (details are plain dates and numbers)."""
    template = REASON_MESSAGES.get(reason)
    if template is None:
        return str(details.get("message", "")) or _("Listed for the supervisor.")
    return template % {
        key: shown_date(details.get(key, ""))
        for key in ("first", "last", "registry", "recorded", "case")
    }
