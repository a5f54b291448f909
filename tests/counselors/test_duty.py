"""A counsellor's own duty: the list, the calendar feed, availability and swaps; and the
administrator's profile pages."""

from datetime import date
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from counselors import demo, services
from counselors.models import CounselorProfile, Duty, Roster, SwapRequest, Unavailability
from mediation.roles import Role
from tests.factories import make_user

MY_DUTIES = reverse("counselors:my-duties")


def feed(client, profile):
    return client.get(reverse("counselors:duty-feed", args=[services.feed_token(profile)]))


def test_a_counsellor_sees_their_duties_and_their_calendar_address(client, upcoming, team):
    client.force_login(team[0].user)

    response = client.get(MY_DUTIES)

    assert response.status_code == HTTPStatus.OK
    assert services.feed_token(team[0]) in response.text
    first = upcoming.duties.filter(counselor=team[0]).earliest("day", "half_day")
    assert f"{first.day.year}年{first.day.month}月{first.day.day}日" in response.text


def test_someone_outside_the_rotation_is_told_so(client, supervisor):
    client.force_login(supervisor)

    response = client.get(MY_DUTIES)

    assert response.status_code == HTTPStatus.OK
    assert "你尚未加入轮值" in response.text


@pytest.mark.parametrize("who", ["civil_affairs", "womens_federation", "sysadmin"])
def test_roles_without_duty_get_404_for_my_duties(client, db, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(MY_DUTIES).status_code == HTTPStatus.NOT_FOUND


def test_the_feed_needs_no_sign_in_and_lists_the_published_duties(client, upcoming, team):
    response = feed(client, team[0])

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    duties = upcoming.duties.filter(counselor=team[0])
    assert body.count("BEGIN:VEVENT") == duties.count()
    morning = duties.filter(half_day="AM").first()
    assert f"DTSTART:{morning.day:%Y%m%d}T003000Z" in body  # 08:30 in Beijing
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_a_wrong_or_reset_feed_token_is_404(client, team):
    profile = team[0]
    old = services.feed_token(profile)
    pk = old.split("-")[0]

    assert client.get(reverse("counselors:duty-feed", args=[f"{pk}-{'0' * 40}"])).status_code == 404
    assert client.get(reverse("counselors:duty-feed", args=["nonsense"])).status_code == 404
    client.force_login(profile.user)
    client.post(reverse("counselors:feed-reset"))
    client.logout()
    profile.refresh_from_db()

    assert client.get(reverse("counselors:duty-feed", args=[old])).status_code == 404
    assert feed(client, profile).status_code == HTTPStatus.OK


def test_a_counsellor_declares_leave_but_not_a_sudden_absence(client, team):
    client.force_login(team[0].user)

    client.post(
        reverse("counselors:my-unavailability"),
        {"kind": "leave", "start": "2026-12-07", "end": "2026-12-09", "half_day": ""},
    )
    client.post(
        reverse("counselors:my-unavailability"),
        {"kind": "absence", "start": "2026-12-10", "end": "2026-12-10", "half_day": ""},
    )

    assert list(Unavailability.objects.values_list("kind", "start")) == [
        ("leave", date(2026, 12, 7))
    ]


def test_a_counsellor_cannot_remove_someone_elses_unavailability(client, team, civil_affairs):
    row = services.record_unavailability(
        counselor=team[1],
        kind="leave",
        start=date(2026, 12, 1),
        end=date(2026, 12, 2),
        entered_by=civil_affairs,
    )
    client.force_login(team[0].user)

    response = client.post(reverse("counselors:unavailability-delete", args=[row.pk]))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Unavailability.objects.filter(pk=row.pk).exists()


def find_handover(published, giver, taker):
    """A future duty of `giver` that `taker` may take over without breaking a rule."""
    for duty in published.duties.filter(counselor=giver).select_related("office", "roster"):
        if not services._swap_problems(profile=taker, duty=duty, leaving=None):
            return duty
    pytest.skip("no duty can be handed over in this roster")


def test_a_swap_needs_the_colleague_and_then_the_administrator(
    client, upcoming, team, civil_affairs
):
    giver, taker = team[2], team[3]
    taker.max_half_days_per_week, taker.max_half_days_per_month = 10, 40  # room for one more
    taker.save()
    duty = find_handover(upcoming, giver, taker)
    client.force_login(giver.user)

    client.post(
        reverse("counselors:swap-create", args=[duty.pk]),
        {"colleague": taker.pk, "reason": "家中有事"},
    )
    swap = SwapRequest.objects.get()
    client.force_login(taker.user)
    client.post(reverse("counselors:swap-answer", args=[swap.pk]), {"accept": "1"})
    client.force_login(civil_affairs)
    client.post(reverse("counselors:swap-decide", args=[swap.pk]), {"approve": "1"})

    swap.refresh_from_db()
    duty.refresh_from_db()
    assert swap.status == SwapRequest.Status.APPROVED
    assert duty.counselor == taker
    feed_text = feed(client, taker).content.decode()
    assert f"UID:duty-{duty.pk}@tongxin" in feed_text


def test_a_swap_to_someone_who_may_not_serve_that_office_is_refused(upcoming, team, xlt):
    only_ps = team[1]  # may serve PS only
    duty = upcoming.duties.filter(counselor=team[0], office=xlt).first()

    with pytest.raises(ValidationError) as error:
        services.request_swap(duty=duty, requested_by=team[0], colleague=only_ps)

    assert {e.code for e in error.value.error_list} == {"breaks_rules"}
    assert "不能在兴隆台区婚姻登记处坐诊" in error.value.messages[0]


def test_counsellors_cannot_decide_swaps_or_touch_other_peoples_duties(client, upcoming, team):
    duty = upcoming.duties.filter(counselor=team[2]).first()
    client.force_login(team[0].user)

    assert client.get(reverse("counselors:swap-create", args=[duty.pk])).status_code == 404
    assert client.get(reverse("counselors:swap-list")).status_code == 404


def test_past_duties_cannot_be_swapped(published, team):
    duty = published.duties.filter(counselor=team[2]).first()

    with pytest.raises(ValidationError) as error:
        services.request_swap(duty=duty, requested_by=team[2], colleague=team[3])

    assert error.value.code == "past"  # October 2026 is over


def test_the_administrator_records_a_sudden_absence_and_is_told_to_repair(
    client, team, civil_affairs
):
    client.force_login(civil_affairs)

    response = client.post(
        reverse("counselors:profile-detail", args=[team[2].pk]),
        {"action": "unavailability", "kind": "absence", "start": "2026-12-01", "end": "2026-12-02"},
        follow=True,
    )

    assert Unavailability.objects.get().kind == "absence"
    assert "请从2026-12-01起调整排班" in response.text


def test_the_administrator_adds_a_counsellor_to_the_rotation(client, rules, civil_affairs, xlt):
    newcomer = make_user(Role.COUNSELOR, xlt, username="c_new", full_name="新同事")
    client.force_login(civil_affairs)
    organisation = CounselorProfile._meta.get_field("organisation").related_model.objects.first()

    client.post(
        reverse("counselors:profile-create"),
        {
            "user": newcomer.pk,
            "organisation": organisation.pk,
            "role": "social_worker",
            "home_office": xlt.pk,
            "offices": [xlt.pk],
            "max_half_days_per_week": 4,
            "max_half_days_per_month": 16,
            "in_rotation": "on",
        },
    )

    profile = CounselorProfile.objects.get(user=newcomer)
    assert list(profile.offices.all()) == [xlt]
    assert client.get(reverse("counselors:profile-list")).text.count("新同事") == 1


def test_coverage_rules_are_edited_per_office(client, rules, civil_affairs, xlt):
    client.force_login(civil_affairs)

    client.post(
        reverse("counselors:coverage"),
        {
            "office": "XLT",
            "XLT-needed_am": 2,
            "XLT-needed_pm": 1,
            "XLT-qualified_required": "on",
            "XLT-room_capacity": 3,
        },
    )

    xlt.coverage_rule.refresh_from_db()
    assert (xlt.coverage_rule.needed_am, xlt.coverage_rule.room_capacity) == (2, 3)


def test_the_demo_seed_is_idempotent_and_publishes_the_current_month(db, civil_affairs):
    from mediation.demo import seed_accounts

    seed_accounts()
    today = date(2026, 10, 15)
    demo.seed(today=today)
    counts = (CounselorProfile.objects.count(), Duty.objects.count(), Roster.objects.count())

    demo.seed(today=today)

    assert (
        CounselorProfile.objects.count(),
        Duty.objects.count(),
        Roster.objects.count(),
    ) == counts
    roster = Roster.objects.published().get(month=date(2026, 10, 1))
    assert roster.solver_status == Roster.Solver.OPTIMAL
    assert roster.gaps.count() == 0
    assert CounselorProfile.objects.filter(organisation__is_partner=True).count() >= 10
