"""The optional e-mail digest of tomorrow's duty: a counsellor who asked for it gets one e-mail a
day listing their published duty, sent after commit and never twice for the same day.
May import models and mediation."""

import logging
from datetime import date, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import audit, formats

from ..models import CounselorProfile, Duty, DutyDigest, HalfDay

logger = logging.getLogger("tongxin.counselors")


@transaction.atomic
def set_duty_digest(
    *, profile: CounselorProfile, enabled: bool, request: HttpRequest | None = None
) -> CounselorProfile:
    """The counsellor chooses whether to get the digest (it needs an e-mail address: no_email)."""
    if enabled and not profile.user.email:
        raise ValidationError(
            _("Your account has no e-mail address; ask the administrator to add one."),
            code="no_email",
        )
    profile.duty_digest = enabled
    profile.save(update_fields=["duty_digest"])
    audit.record(
        actor=profile.user,
        action="duty.digest",
        obj=profile,
        request=request,
        details={"enabled": enabled},
    )
    return profile


def _text(day: date, duties: list[Duty]) -> str:
    halves = dict(HalfDay.choices)
    lines = [
        _("Your duty on %(day)s:") % {"day": formats.long_date(day)},
        *(f"- {halves[duty.half_day]} {duty.office.name}" for duty in duties),
    ]
    return "\n".join(lines)


def _send(*, address: str, subject: str, text: str) -> None:
    try:
        send_mail(subject=subject, message=text, from_email=None, recipient_list=[address])
    except OSError:
        logger.warning("Could not e-mail a duty digest")


def send_duty_digests(*, day: date | None = None) -> int:
    """E-mail tomorrow's duty (or `day`'s) to every counsellor who asked for it and has duty
    then; returns how many digests were sent. Safe to run twice: one digest per person a day."""
    day = day or timezone.localdate() + timedelta(days=1)
    sent = 0
    profiles = (
        CounselorProfile.objects.filter(duty_digest=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )
    for profile in profiles:
        duties = list(
            Duty.objects.published()
            .filter(counselor=profile, day=day)
            .select_related("office")
            .order_by("half_day")
        )
        if not duties:
            continue
        try:
            with transaction.atomic():
                DutyDigest.objects.create(counselor=profile, day=day)
                transaction.on_commit(
                    partial(
                        _send,
                        address=profile.user.email,
                        subject=_("Your duty tomorrow"),
                        text=_text(day, duties),
                    )
                )
        except IntegrityError:
            continue
        sent += 1
    return sent
