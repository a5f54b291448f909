from django.urls import path

from . import views

app_name = "mediation"

urlpatterns = [
    path("offices/<str:code>/", views.office_detail, name="office-detail"),
    path("calendar/", views.calendar_list, name="calendar-list"),
    path("calendar/enter/", views.calendar_enter, name="calendar-enter"),
    path("calendar/<int:year>/", views.calendar_year, name="calendar-year"),
]
