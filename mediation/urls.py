from django.urls import path

from . import views

app_name = "mediation"

urlpatterns = [
    path("offices/<str:code>/", views.office_detail, name="office-detail"),
]
