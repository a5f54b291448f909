"""Swaps of published duties (counselors.services.swaps): the colleague agrees, the administrator
decides, the rules are kept, and every step (withdrawal included) is in the audit trail."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from counselors.models import SwapRequest
from counselors.services import feed_tokens, swaps
from mediation.models import AuditEvent
from tests.helpers import error_codes


def find_handover(roster, giver, taker, today):
    """A future duty of `giver` that `taker` can take over without breaking a rule: the taker is
    given room in their limits and leave to serve its office, and the duty falls on a day the
    taker has none. Fails (never skips) when the roster has no such duty."""
    taker.max_half_days_per_week, taker.max_half_days_per_month = 14, 60
    taker.save()
    taker_days = roster.duties.filter(counselor=taker).values_list("day", flat=True)
    duty = (
        roster.duties.filter(counselor=giver, day__gt=today)
        .exclude(day__in=taker_days)
        .select_related("office", "roster")
        .order_by("day", "half_day")
        .first()
    )
    if duty is None:
        pytest.fail(f"{giver} has no future duty on a day {taker} is free in {roster}")
    taker.offices.add(duty.office)
    problems = swaps.swap_problems(profile=taker, duty=duty, leaving=None)
    assert problems == [], problems
    return duty


def test_a_swap_needs_the_colleague_and_then_the_administrator(
    client, upcoming, team, civil_affairs, today
):
    giver, taker = team[2], team[3]
    duty = find_handover(upcoming, giver, taker, today)
    client.force_login(giver.user)

    client.post(
        reverse("counselors:swap-create", args=[duty.pk]),
        {"colleague": taker.pk, "reason": "家中有事"},
    )
    swap = SwapRequest.objects.get()
    client.force_login(taker.user)
    client.post(reverse("counselors:swap-answer", args=[swap.pk]), {"accept": "1"})
    client.force_login(civil_affairs)
    review = client.post(reverse("counselors:swap-decide", args=[swap.pk]), {"approve": "1"})
    assert review["Location"] == reverse("counselors:swap-review", args=[swap.pk])
    client.post(review["Location"])

    swap.refresh_from_db()
    duty.refresh_from_db()
    assert swap.status == SwapRequest.Status.APPROVED
    assert duty.counselor == taker
    token = feed_tokens.feed_token(taker)
    feed = Calendar.from_ical(client.get(reverse("counselors:duty-feed", args=[token])).content)
    assert f"duty-{duty.pk}@tongxin" in {str(event.uid) for event in feed.events}
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"swap.request", "swap.answer", "swap.decide"} <= actions


def test_a_swap_to_someone_who_may_not_serve_that_office_is_refused(upcoming, team, xlt):
    only_ps = team[1]  # may serve PS only
    duty = upcoming.duties.filter(counselor=team[0], office=xlt).first()

    with pytest.raises(ValidationError) as error:
        swaps.request_swap(duty=duty, requested_by=team[0], colleague=only_ps)

    assert error_codes(error.value) == {"breaks_rules"}
    assert "不能在兴隆台区婚姻登记处坐诊" in error.value.messages[0]


def test_a_counsellor_cannot_offer_a_duty_to_themselves(upcoming, team):
    duty = upcoming.duties.filter(counselor=team[0]).first()

    with pytest.raises(ValidationError) as error:
        swaps.request_swap(duty=duty, requested_by=team[0], colleague=team[0])

    assert error_codes(error.value) == {"self"}


def test_past_duties_cannot_be_swapped(published, team):
    duty = published.duties.filter(counselor=team[2]).first()

    with pytest.raises(ValidationError) as error:
        swaps.request_swap(duty=duty, requested_by=team[2], colleague=team[3])

    assert error_codes(error.value) == {"past"}  # October 2026 is over on 20 November


def test_counsellors_cannot_decide_swaps_or_touch_other_peoples_duties(client, upcoming, team):
    duty = upcoming.duties.filter(counselor=team[2]).first()
    client.force_login(team[0].user)

    assert client.get(reverse("counselors:swap-create", args=[duty.pk])).status_code == 404
    assert client.get(reverse("counselors:swap-list")).status_code == 404


def test_withdrawing_a_swap_is_audited_and_happens_once(client, upcoming, team, today):
    giver, taker = team[2], team[3]
    duty = find_handover(upcoming, giver, taker, today)
    swap = swaps.request_swap(duty=duty, requested_by=giver, colleague=taker)
    client.force_login(giver.user)

    client.post(reverse("counselors:swap-withdraw", args=[swap.pk]))

    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.WITHDRAWN
    event = AuditEvent.objects.get(action="swap.withdraw")
    assert event.actor == giver.user
    with pytest.raises(ValidationError) as again:
        swaps.withdraw_swap(swap=swap, requested_by=giver)
    assert error_codes(again.value) == {"not_open"}


def test_only_a_swap_the_colleague_agreed_to_is_decided(upcoming, team, civil_affairs, today):
    giver, taker = team[2], team[3]
    duty = find_handover(upcoming, giver, taker, today)
    swap = swaps.request_swap(duty=duty, requested_by=giver, colleague=taker)

    with pytest.raises(ValidationError) as error:
        swaps.decide_swap(swap=swap, decided_by=civil_affairs, approve=True)

    assert error_codes(error.value) == {"not_accepted"}
    duty.refresh_from_db()
    assert duty.counselor == giver


def a_swap_that_takes_the_certified_counsellor_away(upcoming, team, today):
    """An agreed swap that hands a certified counsellor's only XLT duty of a half-day to a
    colleague without a certificate."""
    certified = [p for p in team if p.qualified_until() and p.offices.filter(code="XLT").exists()]
    uncertified = team[4]
    assert not uncertified.qualified_until()
    for giver in certified:
        duty = None
        try:
            duty = find_handover(upcoming, giver, uncertified, today)
        except pytest.fail.Exception:
            continue
        alone = upcoming.duties.filter(
            office=duty.office, day=duty.day, half_day=duty.half_day
        ).count()
        if duty.office.code == "XLT" and alone == 1:
            swap = swaps.request_swap(duty=duty, requested_by=giver, colleague=uncertified)
            return swaps.answer_swap(swap=swap, colleague=uncertified, accept=True)
    pytest.fail("no certified counsellor is alone on an XLT half-day")


def test_approving_a_swap_that_leaves_no_certified_counsellor_needs_an_override_and_a_reason(
    upcoming, team, civil_affairs, today
):
    swap = a_swap_that_takes_the_certified_counsellor_away(upcoming, team, today)

    warnings = swaps.swap_coverage(swap)
    with pytest.raises(ValidationError) as plain:
        swaps.decide_swap(swap=swap, decided_by=civil_affairs, approve=True)
    with pytest.raises(ValidationError) as silent:
        swaps.decide_swap(swap=swap, decided_by=civil_affairs, approve=True, override=True)
    swaps.decide_swap(
        swap=swap,
        decided_by=civil_affairs,
        approve=True,
        override=True,
        override_reason="已请心理研究会临时派人",
    )

    assert [w.problem for w in warnings] == ["qualified"]
    assert "没有持证心理咨询师" in warnings[0].message
    assert error_codes(plain.value) == {"coverage"}
    assert error_codes(silent.value) == {"override_reason"}
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.APPROVED
    event = AuditEvent.objects.get(action="swap.decide")
    assert event.details["override"] is True
    assert event.details["reason"] == "已请心理研究会临时派人"
    assert event.details["coverage"][0]["problem"] == "qualified"


def test_the_review_page_shows_the_gap_before_anything_changes(
    client, upcoming, team, civil_affairs, today
):
    swap = a_swap_that_takes_the_certified_counsellor_away(upcoming, team, today)
    client.force_login(civil_affairs)
    url = reverse("counselors:swap-review", args=[swap.pk])

    page = client.get(url)
    refused = client.post(url, {"override": "on"})

    assert 'data-testid="coverage-warnings"' in page.text
    assert "无持证" in page.text
    assert refused.status_code == 200
    assert "请说明" in refused.text
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.ACCEPTED


def test_a_refused_approval_names_the_gap_once_and_says_what_approving_it_takes(
    client, upcoming, team, civil_affairs, today
):
    swap = a_swap_that_takes_the_certified_counsellor_away(upcoming, team, today)
    gap = swaps.swap_coverage(swap)[0].message
    client.force_login(civil_affairs)

    refused = client.post(reverse("counselors:swap-review", args=[swap.pk]), {})

    assert refused.text.count(gap) == 1
    assert refused.text.count("请勾选此项并说明理由") == 1
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.ACCEPTED
