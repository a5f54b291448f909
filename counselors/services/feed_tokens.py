"""The secret in a counsellor's calendar-feed address: making it, recognising it, resetting it
(audited). May import models and mediation.audit; the feed itself is built by counselors.ics.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from mediation import audit

from ..models import CounselorProfile, new_feed_secret


def feed_token(profile: CounselorProfile) -> str:
    """The secret in a counsellor's feed URL: their id and an HMAC of their feed secret, so a
    copy of the database alone does not reveal the address (docs/rotation.md, 'Subscribe')."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"tongxin.duty-feed:{profile.pk}:{profile.feed_secret}".encode(),
        hashlib.sha256,
    ).hexdigest()[:40]
    return f"{profile.pk}-{digest}"


def profile_for_feed_token(token: str) -> CounselorProfile | None:
    """The profile whose current feed token this is, else None (compared in constant time)."""
    pk, _sep, _digest = token.partition("-")
    if not pk.isdigit():
        return None
    profile: CounselorProfile | None = (
        CounselorProfile.objects.filter(pk=int(pk)).select_related("user").first()
    )
    if profile is None or not hmac.compare_digest(feed_token(profile), token):
        return None
    return profile


@transaction.atomic
def reset_feed(*, profile: CounselorProfile, request: HttpRequest | None = None) -> str:
    """A new feed address; the old one stops working at once."""
    profile.feed_secret = new_feed_secret()
    profile.save(update_fields=["feed_secret"])
    audit.record(actor=profile.user, action="duty.feed.reset", obj=profile, request=request)
    return feed_token(profile)
