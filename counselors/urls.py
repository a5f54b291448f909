from django.urls import path

from .views import booking, calendars, desk, duties, profiles, roster, swaps

app_name = "counselors"

urlpatterns = [
    path("roster/", roster.roster, name="roster"),
    path("roster/plan/", roster.roster_plan, name="roster-plan"),
    path("roster/repair/", roster.roster_repair, name="roster-repair"),
    path("roster/<int:roster_id>/status/", roster.roster_status, name="roster-status"),
    path("roster/<int:roster_id>/publish/", roster.roster_publish, name="roster-publish"),
    path("my-duties/", duties.my_duties, name="my-duties"),
    path("my-duties/unavailability/", duties.my_unavailability, name="my-unavailability"),
    path("my-duties/feed/reset/", duties.feed_reset, name="feed-reset"),
    path("my-duties/notices/read/", duties.notices_read, name="notices-read"),
    path("my-duties/digest/", duties.duty_digest, name="duty-digest"),
    path(
        "unavailability/<int:row_id>/delete/",
        duties.unavailability_delete,
        name="unavailability-delete",
    ),
    path("duties/<int:duty_id>/swap/", swaps.swap_create, name="swap-create"),
    path("swaps/", swaps.swap_list, name="swap-list"),
    path("swaps/<int:swap_id>/answer/", swaps.swap_answer, name="swap-answer"),
    path("swaps/<int:swap_id>/withdraw/", swaps.swap_withdraw, name="swap-withdraw"),
    path("swaps/<int:swap_id>/decide/", swaps.swap_decide, name="swap-decide"),
    path("swaps/<int:swap_id>/", swaps.swap_review, name="swap-review"),
    path("feed/<str:token>.ics", duties.duty_feed, name="duty-feed"),
    path("counsellors/", profiles.profile_list, name="profile-list"),
    path("counsellors/new/", profiles.profile_create, name="profile-create"),
    path("counsellors/<int:profile_id>/", profiles.profile_detail, name="profile-detail"),
    path(
        "qualifications/<int:qualification_id>/delete/",
        profiles.qualification_delete,
        name="qualification-delete",
    ),
    path("coverage/", roster.coverage, name="coverage"),
    path("service-hours/", roster.service_hours, name="service-hours"),
    path("cases/<uuid:case_uuid>/book/", booking.case_book, name="case-book"),
    path("desk/", desk.desk, name="desk"),
    path("desk/overdue/", desk.desk_overdue, name="desk-overdue"),
    path("offices/<str:code>/roster/", desk.office_roster, name="office-roster"),
    path("offices/<str:code>/extra-duty/", desk.ask_extra_duty, name="extra-duty"),
    path(
        "calendars/counsellors/<int:user_id>/",
        calendars.counselor_calendar,
        name="counselor-calendar",
    ),
    path("calendars/rooms/<int:room_id>/", calendars.room_calendar, name="room-calendar"),
]
