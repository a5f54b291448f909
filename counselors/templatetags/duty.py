"""Duty facts for the core's pages, which cannot import this app: `{% load duty %}` then
`{% next_duties users office as duties %}` (one query) and `{{ duties|of:user }}`."""

from django import template
from django.utils import timezone

from .. import selectors

register = template.Library()


@register.simple_tag
def next_duties(users, office, per_user: int = 3):
    """Each user's next published duties at the office, by user id."""
    return selectors.next_duties(list(users), office, timezone.localdate(), per_user)


@register.filter(name="of")
def duties_of(duties, user):
    return duties.get(getattr(user, "pk", user), [])
