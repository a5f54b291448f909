"""The optional e-mail digest of tomorrow's duty: only to those who asked, once a day, after
commit."""

from datetime import date

from django.core import mail

from counselors.services import digests


def test_the_digest_goes_once_to_the_counsellors_who_asked(
    upcoming, team, django_capture_on_commit_callbacks
):
    profile = next(
        p for p in team if upcoming.duties.filter(counselor=p, day=date(2026, 12, 1)).exists()
    )
    profile.user.email = "duty@example.cn"
    profile.user.save()
    digests.set_duty_digest(profile=profile, enabled=True)

    with django_capture_on_commit_callbacks(execute=True):
        sent = digests.send_duty_digests(day=date(2026, 12, 1))
    with django_capture_on_commit_callbacks(execute=True):
        again = digests.send_duty_digests(day=date(2026, 12, 1))

    assert (sent, again) == (1, 0)
    assert [message.to for message in mail.outbox] == [["duty@example.cn"]]
    assert "2026年12月1日（周二）" in mail.outbox[0].body
