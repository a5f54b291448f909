from django.urls import path

from . import views

app_name = "mediation"

case = "cases/<uuid:case_uuid>/"
session = case + "sessions/<uuid:session_uuid>/"
account = "accounts/<int:user_id>/"

urlpatterns = [
    path("offices/<str:code>/", views.office_detail, name="office-detail"),
    path("offices/<str:code>/rooms/", views.room_list, name="room-list"),
    path("offices/<str:code>/rooms/<int:room_id>/", views.room_list, name="room-edit"),
    path("calendar/", views.calendar_list, name="calendar-list"),
    path("calendar/enter/", views.calendar_enter, name="calendar-enter"),
    path("calendar/<int:year>/", views.calendar_year, name="calendar-year"),
    path("today/", views.today, name="today"),
    path("today/<str:section>/", views.today_section, name="today-section"),
    path("cases/", views.case_list, name="case-list"),
    path("office-cases/", views.office_cases, name="office-cases"),
    path("search/", views.case_search, name="case-search"),
    path(
        "offices/<str:code>/counsellors/<int:user_id>/reassign/",
        views.cases_reassign,
        name="cases-reassign",
    ),
    path("cases/new/", views.case_open, name="case-open"),
    path(case, views.case_detail, name="case-detail"),
    path(case + "edit/", views.case_edit, name="case-edit"),
    path(case + "assign/", views.case_assign, name="case-assign"),
    path(case + "parties/<int:position>/", views.party_edit, name="party-edit"),
    path(case + "consent/", views.case_consent, name="case-consent"),
    path(case + "consent/print/", views.consent_print, name="consent-print"),
    path(case + "documents/record-form/", views.record_form_print, name="record-form-print"),
    path(case + "documents/summary/", views.case_summary_print, name="case-summary-print"),
    path(
        case + "referrals/<int:referral_id>/letter/",
        views.referral_letter_print,
        name="referral-letter-print",
    ),
    path(
        case + "parties/<int:position>/consent/<str:purpose>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path(case + "signatures/<uuid:signature_uuid>/", views.signature_image, name="signature-image"),
    path(case + "parties/<int:position>/screen/", views.party_screen, name="party-screen"),
    path(case + "sealed-answers/", views.sealed_answers, name="sealed-answers"),
    path(case + "attachments/new/", views.attachment_new, name="attachment-new"),
    path(
        case + "attachments/<uuid:attachment_uuid>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path(case + "sessions/new/", views.session_book, name="session-book"),
    path(session, views.session_detail, name="session-detail"),
    path(session + "hold/", views.session_hold, name="session-hold"),
    path(session + "cancel/", views.session_cancel, name="session-cancel"),
    path(session + "note/", views.note_edit, name="note-edit"),
    path(session + "note/autosave/", views.note_autosave, name="note-autosave"),
    path(session + "note/sign/", views.note_sign, name="note-sign"),
    path(session + "notes/<uuid:note_uuid>/addendum/", views.note_addendum, name="note-addendum"),
    path(case + "result/", views.case_result, name="case-result"),
    path(case + "outcome/", views.case_outcome, name="case-outcome"),
    path(case + "outcome/void/", views.outcome_void, name="outcome-void"),
    path(case + "finish/", views.case_finish, name="case-finish"),
    path(case + "referrals/new/", views.referral_new, name="referral-new"),
    path(case + "follow-ups/<int:follow_up_id>/", views.follow_up_record, name="follow-up-record"),
    path(case + "satisfaction/", views.satisfaction_new, name="satisfaction-new"),
    path(case + "hold/", views.case_hold, name="case-hold"),
    # A person's requests (a supervisor) and the privacy register (the security administrator).
    path("privacy/people/", views.person_find, name="person-find"),
    path("privacy/people/<uuid:party_uuid>/", views.person_detail, name="person-detail"),
    path("privacy/people/<uuid:party_uuid>/copy/", views.person_copy, name="person-copy"),
    path("privacy/people/<uuid:party_uuid>/correct/", views.person_correct, name="person-correct"),
    path("privacy/people/<uuid:party_uuid>/delete/", views.person_delete, name="person-delete"),
    path("privacy/register/", views.privacy_register, name="privacy-register"),
    path(
        "privacy/register/<str:document>/",
        views.privacy_document_edit,
        name="privacy-document-edit",
    ),
    path(case + "parties/<int:position>/contact/", views.party_contact, name="party-contact"),
    path("audit/", views.audit_list, name="audit-list"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/read/", views.notices_read, name="notices-read"),
    path("registry/upload/", views.registry_upload, name="registry-upload"),
    path(
        "registry/uploads/<uuid:upload_uuid>/import/", views.registry_import, name="registry-import"
    ),
    path(
        "registry/uploads/<uuid:upload_uuid>/discard/",
        views.registry_discard,
        name="registry-discard",
    ),
    path("registry/review/", views.registry_review, name="registry-review"),
    path(
        "registry/events/<uuid:event_uuid>/resolve/",
        views.registry_resolve,
        name="registry-resolve",
    ),
    path("walk-ins/", views.walk_in_queue, name="walk-ins"),
    path(
        "walk-ins/<uuid:application_uuid>/",
        views.walk_in_record,
        name="walk-in-record",
    ),
    path("api-clients/", views.api_client_list, name="api-clients"),
    path(
        "api-clients/<uuid:client_uuid>/revoke/",
        views.api_client_revoke,
        name="api-client-revoke",
    ),
    path(
        "sms/callbacks/<str:backend>/<str:secret>/<str:kind>/",
        views.sms_callback,
        name="sms-callback",
    ),
    path("audit/export.csv", views.audit_export, name="audit-export"),
    # Signing in, second step, and one's own account.
    path("sign-in/code/", views.second_factor, name="second-factor"),
    path("sign-in/authenticator/", views.second_factor_enrol, name="second-factor-enrol"),
    path("me/", views.my_account, name="my-account"),
    path("me/password/", views.password_change, name="password-change"),
    path("me/backup-codes/", views.backup_codes, name="backup-codes"),
    path("me/sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    # Accounts, by the system and the security administrators.
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/new/", views.account_create, name="account-create"),
    path(account, views.account_detail, name="account-detail"),
    path(account + "edit/", views.account_edit, name="account-edit"),
    path(account + "roles/", views.account_grants, name="account-grants"),
    *[
        path(account + f"{kind}/", views.account_action, {"kind": kind}, name=f"account-{kind}")
        for kind in ("deactivate", "reactivate", "password-reset", "second-factor-reset")
    ],
]
