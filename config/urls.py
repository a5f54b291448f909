"""URL wiring: each app's routes under its own prefix; no logic here."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from mediation import views as mediation_views

from .api import api_urls

urlpatterns = [
    path("", mediation_views.home, name="home"),
    path(
        "login/",
        login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("mediation/", include("mediation.urls")),
    path("counselors/", include("counselors.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", api_urls()),
    path("admin/", admin.site.urls),
]

admin.site.site_header = settings.TONGXIN_SITE_NAME
admin.site.site_title = settings.TONGXIN_SITE_NAME
