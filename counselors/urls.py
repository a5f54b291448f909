from django.urls import path

from . import views, views_desk

app_name = "counselors"

urlpatterns = [
    path("roster/", views.roster, name="roster"),
    path("roster/plan/", views.roster_plan, name="roster-plan"),
    path("roster/repair/", views.roster_repair, name="roster-repair"),
    path("roster/<int:roster_id>/status/", views.roster_status, name="roster-status"),
    path("roster/<int:roster_id>/publish/", views.roster_publish, name="roster-publish"),
    path("my-duties/", views.my_duties, name="my-duties"),
    path("my-duties/unavailability/", views.my_unavailability, name="my-unavailability"),
    path("my-duties/feed/reset/", views.feed_reset, name="feed-reset"),
    path("my-duties/notices/read/", views.notices_read, name="notices-read"),
    path("my-duties/digest/", views.duty_digest, name="duty-digest"),
    path(
        "unavailability/<int:row_id>/delete/",
        views.unavailability_delete,
        name="unavailability-delete",
    ),
    path("duties/<int:duty_id>/swap/", views.swap_create, name="swap-create"),
    path("swaps/", views.swap_list, name="swap-list"),
    path("swaps/<int:swap_id>/answer/", views.swap_answer, name="swap-answer"),
    path("swaps/<int:swap_id>/withdraw/", views.swap_withdraw, name="swap-withdraw"),
    path("swaps/<int:swap_id>/decide/", views.swap_decide, name="swap-decide"),
    path("swaps/<int:swap_id>/", views.swap_review, name="swap-review"),
    path("feed/<str:token>.ics", views.duty_feed, name="duty-feed"),
    path("counsellors/", views.profile_list, name="profile-list"),
    path("counsellors/new/", views.profile_create, name="profile-create"),
    path("counsellors/<int:profile_id>/", views.profile_detail, name="profile-detail"),
    path(
        "qualifications/<int:qualification_id>/delete/",
        views.qualification_delete,
        name="qualification-delete",
    ),
    path("coverage/", views.coverage, name="coverage"),
    path("service-hours/", views.service_hours, name="service-hours"),
    path("cases/<uuid:case_uuid>/book/", views.case_book, name="case-book"),
    path("desk/", views_desk.desk, name="desk"),
    path("desk/overdue/", views_desk.desk_overdue, name="desk-overdue"),
    path("offices/<str:code>/roster/", views_desk.office_roster, name="office-roster"),
    path("offices/<str:code>/extra-duty/", views_desk.ask_extra_duty, name="extra-duty"),
    path(
        "calendars/counsellors/<int:user_id>/",
        views_desk.counselor_calendar,
        name="counselor-calendar",
    ),
    path("calendars/rooms/<int:room_id>/", views_desk.room_calendar, name="room-calendar"),
]
