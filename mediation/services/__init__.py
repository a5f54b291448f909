"""Every change of state with a rule in case work, one module per use case (ARCHITECTURE.md,
'Where logic lives'); this package re-exports their public names, so `services.open_case(...)`.

Keyword-only functions, one transaction each, each writing its audit event. Views and commands
call these; they raise ValidationError (with a code, and a field where one is to blame) for
anything the user can correct.
"""

from .agreements import CONSENT_FLAGS, agreed_purposes, agreements_in_force, consent_text_for
from .attachments import attach_file, attachments_of, read_attachment
from .cases import assign_counselor, open_case, reassign_cases, unassign_counselor, update_case
from .consent import (
    ConsentPage,
    ConsentState,
    WithdrawalEffects,
    consent_states,
    erasure_due,
    record_consent,
    record_consents,
    require_consent,
    withdrawal_effects,
)
from .corrections import outcomes_to_review, recheck_provisional_outcomes, void_outcome
from .documents import Document, case_summary, consent_form, record_form, referral_letter
from .drafts import draft_for, read_draft, save_draft
from .erasure import hold_in_force
from .errors import field_error, integrity_failed_message, key_unavailable_message
from .follow_ups import (
    FOLLOW_UP_MONTHS,
    may_contact,
    record_follow_up,
    record_satisfaction,
    schedule_follow_ups,
)
from .masked_names import read_masked_names
from .notes import StaleNote, add_addendum, save_note, sign_note
from .official_calendar import (
    MAKEUP_WORKDAY_NAME,
    apply_deadlines,
    enter_calendar_year,
    recompute_deadlines,
    rest_day_warning,
)
from .outcomes import (
    ClosingEffects,
    check_outcome,
    close_case,
    closing_effects,
    deadlines_of,
    finish_case,
    mark_lapsed_cases,
    record_result,
)
from .parties import earlier_cases_for, id_index_of, name_index_of, update_party
from .referrals import refer
from .rooms import save_room
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
from .search import SearchResult, search_cases
from .sessions import book_session, cancel_session, hold_session, record_past_session
from .signatures import read_signature, record_signature
from .timeline import Entry, case_timeline

__all__ = [
    "CONSENT_FLAGS",
    "FOLLOW_UP_MONTHS",
    "MAKEUP_WORKDAY_NAME",
    "SCREEN_QUESTIONS",
    "ClosingEffects",
    "ConsentPage",
    "ConsentState",
    "Document",
    "Entry",
    "Opened",
    "OpenedNote",
    "OpenedScreen",
    "SealedAnswers",
    "SearchResult",
    "StaleNote",
    "WithdrawalEffects",
    "add_addendum",
    "agreed_purposes",
    "agreements_in_force",
    "apply_deadlines",
    "assign_counselor",
    "attach_file",
    "attachments_of",
    "book_session",
    "cancel_session",
    "case_summary",
    "case_timeline",
    "check_outcome",
    "close_case",
    "closing_effects",
    "consent_form",
    "consent_states",
    "consent_text_for",
    "deadlines_of",
    "draft_for",
    "earlier_cases_for",
    "enter_calendar_year",
    "erasure_due",
    "field_error",
    "finish_case",
    "hold_in_force",
    "hold_session",
    "id_index_of",
    "integrity_failed_message",
    "key_unavailable_message",
    "mark_lapsed_cases",
    "may_contact",
    "name_index_of",
    "open_case",
    "outcomes_to_review",
    "read_attachment",
    "read_draft",
    "read_masked_names",
    "read_note",
    "read_party_identity",
    "read_party_names",
    "read_referral_reason",
    "read_screen",
    "read_sealed_answers",
    "read_session_notes",
    "read_signature",
    "reassign_cases",
    "recheck_provisional_outcomes",
    "recompute_deadlines",
    "record_consent",
    "record_consents",
    "record_follow_up",
    "record_form",
    "record_past_session",
    "record_result",
    "record_satisfaction",
    "record_signature",
    "refer",
    "referral_letter",
    "require_consent",
    "rest_day_warning",
    "save_draft",
    "save_note",
    "save_room",
    "schedule_follow_ups",
    "screen_party",
    "search_cases",
    "sign_note",
    "unassign_counselor",
    "update_case",
    "update_party",
    "void_outcome",
    "withdrawal_effects",
]
