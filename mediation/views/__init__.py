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
from .api_clients import api_client_list, api_client_revoke
from .attachments import attachment_download, attachment_new
from .audit_trail import audit_export, audit_list
from .cases import (
    case_assign,
    case_detail,
    case_edit,
    case_list,
    case_open,
    case_search,
    office_cases,
)
from .consent import case_consent, consent_print, consent_withdraw, signature_image
from .contact import party_contact
from .documents import case_summary_print, record_form_print, referral_letter_print
from .notes import note_addendum, note_autosave, note_edit, note_sign
from .notices import notice_list, notices_read
from .offices import home, office_detail
from .official_calendar import calendar_enter, calendar_list, calendar_year
from .outcomes import (
    case_finish,
    case_outcome,
    case_result,
    follow_up_record,
    outcome_void,
    referral_new,
    satisfaction_new,
)
from .parties import party_edit, party_screen, sealed_answers
from .privacy import (
    case_hold,
    person_copy,
    person_correct,
    person_delete,
    person_detail,
    person_find,
    privacy_document_edit,
    privacy_register,
)
from .reassign import cases_reassign
from .registry import (
    registry_discard,
    registry_import,
    registry_resolve,
    registry_review,
    registry_upload,
    walk_in_queue,
    walk_in_record,
)
from .rooms import room_list
from .sessions import (
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
from .sms_callbacks import sms_callback
from .today import today, today_section

__all__ = [
    "account_action",
    "account_create",
    "account_detail",
    "account_edit",
    "account_grants",
    "account_list",
    "api_client_list",
    "api_client_revoke",
    "attachment_download",
    "attachment_new",
    "audit_export",
    "audit_list",
    "backup_codes",
    "calendar_enter",
    "calendar_list",
    "calendar_year",
    "case_assign",
    "case_consent",
    "case_detail",
    "case_edit",
    "case_finish",
    "case_hold",
    "case_list",
    "case_open",
    "case_outcome",
    "case_result",
    "case_search",
    "case_summary_print",
    "cases_reassign",
    "consent_print",
    "consent_withdraw",
    "follow_up_record",
    "home",
    "my_account",
    "note_addendum",
    "note_autosave",
    "note_edit",
    "note_sign",
    "notice_list",
    "notices_read",
    "office_cases",
    "office_detail",
    "outcome_void",
    "party_contact",
    "party_edit",
    "party_screen",
    "password_change",
    "person_copy",
    "person_correct",
    "person_delete",
    "person_detail",
    "person_find",
    "privacy_document_edit",
    "privacy_register",
    "record_form_print",
    "referral_letter_print",
    "referral_new",
    "registry_discard",
    "registry_import",
    "registry_resolve",
    "registry_review",
    "registry_upload",
    "room_list",
    "satisfaction_new",
    "sealed_answers",
    "second_factor",
    "second_factor_enrol",
    "session_book",
    "session_cancel",
    "session_detail",
    "session_hold",
    "sign_out_everywhere",
    "signature_image",
    "sms_callback",
    "today",
    "today_section",
    "walk_in_queue",
    "walk_in_record",
]
