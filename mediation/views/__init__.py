"""Views of the core app, one module per area: thin — reach, form, service, response.

The names are re-exported here for mediation/urls.py and config/urls.py (`views.home`).
"""

from .accounts import (
    account_action,
    account_create,
    account_detail,
    account_edit,
    account_grants,
    account_list,
)
from .audit_trail import audit_export, audit_list
from .cases import case_assign, case_detail, case_edit, case_list, case_open, office_cases, today
from .offices import home, office_detail
from .official_calendar import calendar_enter, calendar_list, calendar_year
from .outcomes import (
    case_finish,
    case_outcome,
    case_result,
    follow_up_record,
    referral_new,
    satisfaction_new,
)
from .parties import party_consent, party_edit, party_screen, sealed_answers
from .sessions import (
    note_addendum,
    note_edit,
    note_sign,
    session_book,
    session_cancel,
    session_detail,
    session_hold,
)
from .sign_in import (
    backup_codes,
    my_account,
    password_change,
    second_factor,
    second_factor_enrol,
    sign_out_everywhere,
)

__all__ = [
    "account_action",
    "account_create",
    "account_detail",
    "account_edit",
    "account_grants",
    "account_list",
    "backup_codes",
    "my_account",
    "password_change",
    "second_factor",
    "second_factor_enrol",
    "sign_out_everywhere",
    "audit_export",
    "audit_list",
    "calendar_enter",
    "calendar_list",
    "calendar_year",
    "case_assign",
    "case_detail",
    "case_edit",
    "case_finish",
    "case_list",
    "case_open",
    "case_outcome",
    "case_result",
    "follow_up_record",
    "home",
    "note_addendum",
    "note_edit",
    "note_sign",
    "office_cases",
    "office_detail",
    "party_consent",
    "party_edit",
    "party_screen",
    "referral_new",
    "satisfaction_new",
    "sealed_answers",
    "session_book",
    "session_cancel",
    "session_detail",
    "session_hold",
    "today",
]
