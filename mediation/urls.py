from django.urls import path

from . import views

app_name = "mediation"

case = "cases/<uuid:case_uuid>/"
session = case + "sessions/<uuid:session_uuid>/"
account = "accounts/<int:user_id>/"

urlpatterns = [
    path("offices/<str:code>/", views.office_detail, name="office-detail"),
    path("calendar/", views.calendar_list, name="calendar-list"),
    path("calendar/enter/", views.calendar_enter, name="calendar-enter"),
    path("calendar/<int:year>/", views.calendar_year, name="calendar-year"),
    path("today/", views.today, name="today"),
    path("cases/", views.case_list, name="case-list"),
    path("office-cases/", views.office_cases, name="office-cases"),
    path("cases/new/", views.case_open, name="case-open"),
    path(case, views.case_detail, name="case-detail"),
    path(case + "edit/", views.case_edit, name="case-edit"),
    path(case + "assign/", views.case_assign, name="case-assign"),
    path(case + "parties/<int:position>/", views.party_edit, name="party-edit"),
    path(case + "parties/<int:position>/consent/", views.party_consent, name="party-consent"),
    path(case + "parties/<int:position>/screen/", views.party_screen, name="party-screen"),
    path(case + "sealed-answers/", views.sealed_answers, name="sealed-answers"),
    path(case + "sessions/new/", views.session_book, name="session-book"),
    path(session, views.session_detail, name="session-detail"),
    path(session + "hold/", views.session_hold, name="session-hold"),
    path(session + "cancel/", views.session_cancel, name="session-cancel"),
    path(session + "note/", views.note_edit, name="note-edit"),
    path(session + "note/sign/", views.note_sign, name="note-sign"),
    path(session + "notes/<uuid:note_uuid>/addendum/", views.note_addendum, name="note-addendum"),
    path(case + "result/", views.case_result, name="case-result"),
    path(case + "outcome/", views.case_outcome, name="case-outcome"),
    path(case + "finish/", views.case_finish, name="case-finish"),
    path(case + "referrals/new/", views.referral_new, name="referral-new"),
    path(case + "follow-ups/<int:follow_up_id>/", views.follow_up_record, name="follow-up-record"),
    path(case + "satisfaction/", views.satisfaction_new, name="satisfaction-new"),
    path("audit/", views.audit_list, name="audit-list"),
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
