"""The cooling-off clock of a divorce application: its two legal deadlines.

Pure: dates and an OfficialCalendar in, dates out; imports only mediation.calendar.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from .calendar import OfficialCalendar, period_end

COOLING_OFF_DAYS = 30
CERTIFICATE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Deadlines:
    """The ends of the cooling-off period and of the certificate window (both inclusive)."""

    received_on: date
    cooling_off_ends_on: date
    certificate_window_ends_on: date
    provisional: bool


def deadlines(received_on: date, calendar: OfficialCalendar) -> Deadlines:
    """The deadlines of an application received by the registry on `received_on`.

    Civil Code art. 1077 with the civil-affairs ministry's 2020 notice (DOMAIN.md, 'The law that
    sets the clock'): either party may withdraw within 30 days counted from the day after receipt
    (cooling-off); within the 30 days after the cooling-off period ends, both must come for the
    certificate (certificate window). Each period whose last day is a rest day ends on the next
    working day. The result is provisional when either end depends on a year not loaded.
    """
    cooling_off = period_end(received_on, COOLING_OFF_DAYS, calendar)
    certificate_window = period_end(cooling_off.day, CERTIFICATE_WINDOW_DAYS, calendar)
    return Deadlines(
        received_on=received_on,
        cooling_off_ends_on=cooling_off.day,
        certificate_window_ends_on=certificate_window.day,
        provisional=cooling_off.provisional or certificate_window.provisional,
    )


def next_deadline(
    today: date, cooling_off_ends_on: date | None, certificate_window_ends_on: date | None
) -> date | None:
    """The deadline a counsellor watches next: the end of cooling-off until it has passed, then
    the end of the certificate window (either may be missing for a case without a receipt date)."""
    if cooling_off_ends_on and cooling_off_ends_on >= today:
        return cooling_off_ends_on
    return certificate_window_ends_on


# The registry outcomes that have a legal window (the values of models.OutcomeKind).
RECONCILED, DIVORCED, LAPSED = "reconciled", "divorced", "lapsed"


@dataclass(frozen=True)
class LegalWindow:
    """The days on which a registry outcome can lawfully be dated, both ends included."""

    kind: str
    first: date
    last: date
    provisional: bool

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


def window_for(kind: str, case_deadlines: Deadlines) -> LegalWindow | None:
    """The legal window of a registry outcome (DOMAIN.md, 'Each registry outcome has a legal
    window'): a withdrawal (reconciled) from the day of receipt to the last day of cooling-off; a
    certificate (divorced) from the day after cooling-off ends to the last day of the certificate
    window; a lapse (视为撤回) on the certificate window's last day, recorded once it is over.
    None for outcomes the law does not date (declined, referred)."""
    cooling_off_end = case_deadlines.cooling_off_ends_on
    window_end = case_deadlines.certificate_window_ends_on
    provisional = case_deadlines.provisional
    if kind == RECONCILED:
        return LegalWindow(kind, case_deadlines.received_on, cooling_off_end, provisional)
    if kind == DIVORCED:
        return LegalWindow(kind, cooling_off_end + timedelta(days=1), window_end, provisional)
    if kind == LAPSED:
        return LegalWindow(kind, window_end, window_end, provisional)
    return None
