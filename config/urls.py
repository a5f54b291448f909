"""URL wiring: each app's routes under its own prefix; no logic here.

There is no Django admin: accounts, roles and second factors are managed in Tongxin's own pages
(mediation/views/accounts.py), where every change is a service call written to the audit trail.
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from mediation import views as mediation_views
from mediation.account_forms import SignInForm
from mediation.middleware import password_change_exempt, second_factor_exempt

from .api import api_urls

urlpatterns = [
    path("", mediation_views.home, name="home"),
    path(
        "login/",
        login_not_required(
            auth_views.LoginView.as_view(
                authentication_form=SignInForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path(
        "logout/",
        second_factor_exempt(password_change_exempt(auth_views.LogoutView.as_view())),
        name="logout",
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("mediation/", include("mediation.urls")),
    path("counselors/", include("counselors.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", api_urls()),
]

# A request too large to read, or otherwise refused, gets a page in the user's language.
handler400 = "mediation.views.errors.bad_request"
