"""The walk-in queue: today's and yesterday's applications, the offer and its answer recorded,
and the statistics' uptake figures counting them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mediation import access, services
from mediation.models import CaseAssignment, Purpose, WalkInAnswer
from mediation.registry_file import EventKind, EventRow
from mediation.services import registry_events, walk_ins
from reports.queries import monthly_counts
from tests.helpers import error_codes

IDS = {
    "A-1": ("211102198601171134", "211102198103083123"),
    "A-2": ("211102198001261259", "211102198412123248"),
    "A-3": ("211102198702111376", "211102199412123365"),
}


@pytest.fixture
def applications(supervisor):
    rows = [
        EventRow(0, "A-1", EventKind.RECEIVED, date(2026, 11, 30), "XLT", IDS["A-1"]),
        EventRow(0, "A-2", EventKind.RECEIVED, date(2026, 11, 29), "XLT", IDS["A-2"]),
        EventRow(0, "A-3", EventKind.RECEIVED, date(2026, 11, 27), "XLT", IDS["A-3"]),
    ]
    summary = registry_events.record_events(
        rows=rows, offices=access.offices_for(supervisor), actor=supervisor, source="upload"
    )
    return {
        result.application_number: result.case.registry_application for result in summary.results
    }


def counts(xlt):
    return {
        figure: n
        for (figure, _office, _month), n in monthly_counts(
            [xlt.pk], date(2026, 11, 1), date(2026, 11, 1)
        ).items()
        if figure.startswith("applications.")
    }


def test_the_queue_holds_todays_and_yesterdays_applications(client, counselor, applications):
    client.force_login(counselor)

    response = client.get(reverse("mediation:walk-ins"))

    assert response.status_code == 200
    assert [a.number for a in response.context["applications"]] == ["A-1", "A-2"]
    assert "今天" in response.text
    assert "昨天" in response.text


def test_the_offer_and_its_answer_feed_the_uptake_figures(xlt, counselor, applications):
    assert counts(xlt) == {"applications.not_offered": 3}

    walk_ins.record_walk_in(
        application=applications["A-1"], answer=WalkInAnswer.DECLINED, recorded_by=counselor
    )
    walk_ins.record_walk_in(
        application=applications["A-2"], answer=WalkInAnswer.ACCEPTED, recorded_by=counselor
    )
    case = applications["A-2"].case
    services.record_consent(
        case=case,
        party=case.parties.first(),
        purpose=Purpose.COUNSELLING,
        given=True,
        recorded_by=counselor,
    )

    assert counts(xlt) == {
        "applications.offered_only": 1,
        "applications.taken_up": 1,
        "applications.not_offered": 1,
    }


def test_accepting_assigns_the_counsellor_on_duty_and_opens_the_consent_page(
    client, counselor, applications
):
    client.force_login(counselor)
    application = applications["A-1"]

    response = client.post(
        reverse("mediation:walk-in-record", args=[application.uuid]), {"answer": "accepted"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("mediation:case-consent", args=[application.case.uuid])
    assert CaseAssignment.objects.filter(case=application.case, counselor=counselor).exists()


def test_an_answer_cannot_go_back_to_a_bare_offer(counselor, applications):
    application = applications["A-1"]
    walk_ins.record_walk_in(
        application=application, answer=WalkInAnswer.DECLINED, recorded_by=counselor
    )

    with pytest.raises(ValidationError) as error:
        walk_ins.record_walk_in(
            application=application, answer=WalkInAnswer.OFFERED, recorded_by=counselor
        )

    assert error_codes(error.value) == {"offer_first"}


def test_another_offices_counsellor_cannot_reach_the_application(
    client, other_counselor, applications
):
    client.force_login(other_counselor)

    response = client.post(
        reverse("mediation:walk-in-record", args=[applications["A-1"].uuid]), {"answer": "offered"}
    )

    assert response.status_code == 404
    assert client.get(reverse("mediation:walk-ins"), {"office": "XLT"}).status_code == 404
