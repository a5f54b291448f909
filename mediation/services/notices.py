"""Reminders for staff: an in-app notice (the bell), copied by e-mail after commit, and reading
them. Both apps notify through here (counselors for duty, the core for cases and the registry).
May import models only."""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Notice, User

logger = logging.getLogger("tongxin.notices")


def _email(*, user_id: int, address: str, subject: str, text: str) -> None:
    try:
        send_mail(subject=subject, message=text, from_email=None, recipient_list=[address])
    except OSError:
        logger.warning("Could not email a notice to user %s", user_id)


def notify(*, user: User, text: str, url: str = "", kind: str = "", key: str = "") -> Notice | None:
    """An in-app notice in the caller's transaction, copied by e-mail when the user has an
    address. The e-mail leaves only once the transaction commits (a rolled-back change tells no
    one), and a failure to send is logged: the notice itself is the record. With a `key`, the
    same reminder is raised once per user however often a sweep runs (None the second time)."""
    if key:
        try:
            with transaction.atomic():
                notice = Notice.objects.create(
                    recipient=user, text=text, url=url, kind=kind, key=key
                )
        except IntegrityError:
            return None
    else:
        notice = Notice.objects.create(recipient=user, text=text, url=url, kind=kind)
    if user.email:
        transaction.on_commit(
            partial(
                _email,
                user_id=user.pk,
                address=user.email,
                subject=str(settings.TONGXIN_SITE_NAME),
                text=text,
            )
        )
    return notice


def unread_count(user: User) -> int:
    return Notice.objects.filter(recipient=user, read_at=None).count()


def mark_notices_read(*, user: User) -> int:
    """Every unread notice of the user is read now; returns how many were unread."""
    return Notice.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())
