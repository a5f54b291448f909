"""The small things found while trying the case work: the counsellor's own office by default,
who to call for a follow-up, the screened party as the referral's default."""

import re
from datetime import date

from django.urls import reverse

from mediation import services
from mediation.models import AuditEvent, OfficeMembership, OutcomeKind
from tests.factories import office, open_divorce_case


def selected_option(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, f"no <select name={name}>"
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    assert chosen, f"nothing selected in {name}"
    return chosen.group(1)


def test_a_new_case_defaults_to_the_counsellors_own_office(client, counselor, xlt):
    # A second room the counsellor rotates through, whose code sorts first.
    OfficeMembership.objects.create(user=counselor, office=office("STZ"))
    client.force_login(counselor)

    page = client.get(reverse("mediation:case-open")).text

    assert selected_option(page, "office") == str(xlt.pk)


def test_the_follow_up_form_says_whom_to_call_and_shows_the_phone_as_an_audited_read(
    client, counselor, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    first = case.parties.get(position=1)
    services.update_party(party=first, updated_by=counselor, name="张示例", phone="13900000000")
    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 9, 20), recorded_by=counselor
    )
    follow_up = case.follow_ups.get(party=first, months=3)
    client.force_login(counselor)

    page = client.get(reverse("mediation:follow-up-record", args=[case.uuid, follow_up.pk])).text

    assert "请致电当事人1" in page
    assert "13900000000" in page
    assert "张示例" in page
    assert AuditEvent.objects.filter(
        action="party.identity.read", object_uuid=str(first.uuid), actor=counselor
    ).exists()


def test_a_follow_up_for_a_party_who_may_not_be_called_says_so_and_shows_no_phone(
    client, counselor, xlt
):
    case = open_divorce_case(xlt, counselor, received_on=date(2026, 9, 1))
    first = case.parties.get(position=1)
    services.update_party(party=first, updated_by=counselor, phone="13900000000")
    services.close_case(
        case=case, kind=OutcomeKind.RECONCILED, decided_on=date(2026, 9, 20), recorded_by=counselor
    )
    follow_up = case.follow_ups.get(party=first, months=3)
    services.screen_party(
        party=case.parties.get(position=2),
        answers={**dict.fromkeys(services.SCREEN_QUESTIONS, False), "afraid": True},
        screened_by=counselor,
    )
    follow_up.status = "due"
    follow_up.save()
    client.force_login(counselor)

    page = client.get(reverse("mediation:follow-up-record", args=[case.uuid, follow_up.pk])).text

    assert "不得致电当事人1" in page
    assert "13900000000" not in page


def test_after_a_positive_screen_the_referral_defaults_to_the_screened_party(
    client, counselor, xlt
):
    case = open_divorce_case(xlt, counselor)
    client.force_login(counselor)
    answers = dict.fromkeys(services.SCREEN_QUESTIONS, "no") | {"hurt": "yes", "alone": "on"}

    response = client.post(
        reverse("mediation:party-screen", args=[case.uuid, 2]), answers, follow=True
    )

    assert response.redirect_chain[-1][0].endswith("?party=2")
    assert selected_option(response.text, "party") == "2"
