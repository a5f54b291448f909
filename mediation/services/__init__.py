"""Every change of state with a rule in case work, one module per use case (ARCHITECTURE.md,
'Where logic lives'); this package re-exports their public names, so `services.open_case(...)`.

Keyword-only functions, one transaction each, each writing its audit event. Views and commands
call these; they raise ValidationError (with a code, and a field where one is to blame) for
anything the user can correct.
"""

from .cases import assign_counselor, open_case, unassign_counselor, update_case
from .consent import (
    CONSENT_FLAGS,
    ConsentState,
    consent_states,
    consent_text_for,
    record_consent,
    require_consent,
)
from .errors import field_error, integrity_failed_message, key_unavailable_message
from .follow_ups import (
    FOLLOW_UP_MONTHS,
    may_contact,
    record_follow_up,
    record_satisfaction,
    schedule_follow_ups,
)
from .notes import StaleNote, add_addendum, save_note, sign_note
from .official_calendar import (
    MAKEUP_WORKDAY_NAME,
    apply_deadlines,
    enter_calendar_year,
    recompute_deadlines,
    rest_day_warning,
)
from .outcomes import close_case, finish_case, mark_lapsed_cases, record_result
from .parties import earlier_cases_for, update_party
from .referrals import refer
from .screening import SCREEN_QUESTIONS, screen_party
from .sealed_reads import (
    Opened,
    OpenedNote,
    OpenedScreen,
    SealedAnswers,
    read_note,
    read_party_identity,
    read_party_names,
    read_referral_reason,
    read_screen,
    read_sealed_answers,
    read_session_notes,
)
from .sessions import book_session, cancel_session, hold_session, record_past_session

__all__ = [
    "CONSENT_FLAGS",
    "FOLLOW_UP_MONTHS",
    "MAKEUP_WORKDAY_NAME",
    "SCREEN_QUESTIONS",
    "ConsentState",
    "Opened",
    "OpenedNote",
    "OpenedScreen",
    "SealedAnswers",
    "StaleNote",
    "add_addendum",
    "apply_deadlines",
    "assign_counselor",
    "book_session",
    "cancel_session",
    "close_case",
    "consent_states",
    "consent_text_for",
    "earlier_cases_for",
    "enter_calendar_year",
    "field_error",
    "finish_case",
    "hold_session",
    "integrity_failed_message",
    "key_unavailable_message",
    "mark_lapsed_cases",
    "may_contact",
    "open_case",
    "read_note",
    "read_party_identity",
    "read_party_names",
    "read_referral_reason",
    "read_screen",
    "read_sealed_answers",
    "read_session_notes",
    "recompute_deadlines",
    "record_consent",
    "record_follow_up",
    "record_past_session",
    "record_result",
    "record_satisfaction",
    "refer",
    "require_consent",
    "rest_day_warning",
    "save_note",
    "schedule_follow_ups",
    "screen_party",
    "sign_note",
    "unassign_counselor",
    "update_case",
    "update_party",
]
