"""The secret in a counsellor's feed address (counselors.services.feed_tokens): only the current
token opens the feed, and a reset (audited) makes the old address stop working at once."""

from http import HTTPStatus

from django.urls import reverse

from counselors.services import feed_tokens
from mediation.models import AuditEvent


def feed_url(token):
    return reverse("counselors:duty-feed", args=[token])


def test_a_token_names_its_profile_and_nothing_else(team):
    token = feed_tokens.feed_token(team[0])

    assert feed_tokens.profile_for_feed_token(token) == team[0]
    assert feed_tokens.profile_for_feed_token(f"{team[1].pk}-{token.split('-')[1]}") is None
    assert feed_tokens.profile_for_feed_token("nonsense") is None


def test_a_wrong_or_reset_feed_token_is_404(client, team):
    profile = team[0]
    old = feed_tokens.feed_token(profile)
    pk = old.split("-")[0]

    assert client.get(feed_url(f"{pk}-{'0' * 40}")).status_code == HTTPStatus.NOT_FOUND
    assert client.get(feed_url("nonsense")).status_code == HTTPStatus.NOT_FOUND
    client.force_login(profile.user)
    client.post(reverse("counselors:feed-reset"))
    client.logout()
    profile.refresh_from_db()

    assert client.get(feed_url(old)).status_code == HTTPStatus.NOT_FOUND
    assert client.get(feed_url(feed_tokens.feed_token(profile))).status_code == HTTPStatus.OK
    assert AuditEvent.objects.filter(action="duty.feed.reset", actor=profile.user).count() == 1
