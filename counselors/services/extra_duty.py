"""Asking for more duty: when a case cannot be booked because nobody of the case's office is on
duty (or nothing is published yet), the booking page sends the civil-affairs administrators a
notice. May import models, publishing and mediation."""

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import audit, formats
from mediation.models import Notice, NoticeKind, RegistryOffice, User
from mediation.services.notices import notify


def planners() -> list[User]:
    """The active civil-affairs administrators: they plan and publish the rotation."""
    return list(
        User.objects.filter(
            is_active=True,
            groups__permissions__codename="plan_rotation",
            groups__permissions__content_type__app_label="mediation",
        ).distinct()
    )


@transaction.atomic
def ask_for_extra_duty(
    *, office: RegistryOffice, month: date, asked_by: User, request: HttpRequest | None = None
) -> int:
    """Tell every civil-affairs administrator that `office` needs more duty in `month` (申请加派),
    with a link to that month's roster; returns how many were told. Once a day per office and
    month is enough: asking again the same day is refused ("already_asked")."""
    url = f"{reverse('counselors:roster')}?city={office.city}&month={month:%Y-%m}"
    today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    if Notice.objects.filter(url=url, created_at__gte=today, text__contains=office.name).exists():
        raise ValidationError(
            _("More duty for this month was asked for today already; the administrator knows."),
            code="already_asked",
        )
    text = _("%(office)s asks for more duty in %(month)s (asked by %(name)s).") % {
        "office": office.name,
        "month": formats.month_label(month),
        "name": asked_by.display_name,
    }
    told = planners()
    for user in told:
        notify(user=user, text=text, url=url, kind=NoticeKind.ROSTER)
    audit.record(
        actor=asked_by,
        action="duty.extra_requested",
        office=office,
        request=request,
        details={"month": f"{month:%Y-%m}", "notified": len(told)},
    )
    return len(told)
