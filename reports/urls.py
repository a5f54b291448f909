"""The routes of the statistics pages, under the `reports:` namespace.
Imports reports' views only.
"""

from django.urls import path, re_path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.dashboard_export, name="dashboard-export"),
    path("monthly/", views.report_list, name="report-list"),
    path("monthly/new/", views.report_create, name="report-create"),
    path("monthly/<uuid:report_id>/", views.report_detail, name="report-detail"),
    path("monthly/<uuid:report_id>/preview/", views.report_preview, name="report-preview"),
    path("monthly/<uuid:report_id>/confirm/", views.report_confirm, name="report-confirm"),
    path("monthly/<uuid:report_id>/status/", views.report_status, name="report-status"),
    path("monthly/<uuid:report_id>/download/", views.report_download, name="report-download"),
]
