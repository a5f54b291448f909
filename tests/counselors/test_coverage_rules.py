"""Coverage rules per office (counselors.services.coverage_rules): edited from the page, made on
first save, each save audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from counselors.models import CoverageRule
from counselors.services import coverage_rules
from mediation.models import AuditEvent
from tests.helpers import error_codes


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
    event = AuditEvent.objects.get(action="duty.coverage")
    assert (event.actor, event.office_code, event.details["needed_am"]) == (civil_affairs, "XLT", 2)


def test_an_office_without_a_rule_gets_one_on_first_save(civil_affairs, dw):
    rule = coverage_rules.save_coverage_rule(
        office=dw,
        needed_am=1,
        needed_pm=0,
        qualified_required=False,
        room_capacity=2,
        saved_by=civil_affairs,
    )

    assert CoverageRule.objects.get(office=dw) == rule
    assert (rule.needed_am, rule.needed_pm) == (1, 0)


def test_a_negative_number_is_refused(civil_affairs, dw):
    with pytest.raises(ValidationError) as error:
        coverage_rules.save_coverage_rule(
            office=dw,
            needed_am=-1,
            needed_pm=1,
            qualified_required=False,
            room_capacity=2,
            saved_by=civil_affairs,
        )

    assert error_codes(error.value) == {"min_value"}
    assert not CoverageRule.objects.filter(office=dw).exists()
