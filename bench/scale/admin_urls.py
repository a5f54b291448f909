"""Tongxin's URLs plus an admin changelist of the cases (bench/scale/admin_settings.py).

The changelist is what `ModelAdmin` gives for a list like the office's: the columns the office
list shows, filters by office and status, 50 rows a page, the model's own order (newest first),
the filtered and the full count. Nothing here is tuned: it is the baseline, not a competitor.
"""

from django.contrib import admin
from django.urls import path

from config.urls import urlpatterns as site_urls
from mediation.models import Case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "office",
        "category",
        "status",
        "received_on",
        "cooling_off_ends_on",
        "certificate_window_ends_on",
    )
    list_filter = ("office", "status")
    list_per_page = 50


urlpatterns = [*site_urls, path("django-admin/", admin.site.urls)]
