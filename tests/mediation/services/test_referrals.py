"""Referrals to other services, their reason sealed (mediation/services/referrals.py)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from mediation import services
from mediation.models import AuditEvent, Referral
from tests.factories import open_divorce_case
from tests.helpers import error_codes


def refer(case, counselor, **changes):
    fields = {
        "case": case,
        "destination": Referral.Destination.WOMENS_FEDERATION,
        "reason": "示例：需要反家暴庇护",
        "referred_on": date(2026, 9, 10),
        "referred_by": counselor,
    }
    return services.refer(**(fields | changes))


def test_the_reason_is_sealed_and_the_referral_is_an_event_without_it(counselor, xlt):
    case = open_divorce_case(xlt, counselor)

    referral = refer(case, counselor, party=case.parties.first())

    with connection.cursor() as cursor:
        cursor.execute("SELECT reason_sealed FROM mediation_referral")
        (stored,) = cursor.fetchone()
    assert "反家暴".encode() not in bytes(stored)
    event = AuditEvent.objects.get(action="referral.create")
    assert event.details == {"destination": "womens_federation"}
    opened = services.read_referral_reason(user=counselor, referral=referral)
    assert opened.values["reason"] == "示例：需要反家暴庇护"


def test_a_referral_for_someone_outside_the_case_or_in_the_future_is_refused(counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    other = open_divorce_case(xlt, counselor)

    with pytest.raises(ValidationError) as stranger:
        refer(case, counselor, party=other.parties.first())
    with pytest.raises(ValidationError) as ahead:
        refer(case, counselor, referred_on=timezone.localdate() + timedelta(days=1))

    assert error_codes(stranger.value) == {"party_not_in_case"}
    assert error_codes(ahead.value) == {"future"}
    assert not Referral.objects.exists()
