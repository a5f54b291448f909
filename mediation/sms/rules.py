"""Whether, when and to which number a reminder may go (DOMAIN.md, 'Safety comes before
reconciliation'; PIPL). Pure: plain facts in, a decision out.

- only to a party who consented to contact (the follow-up contact consent, 回访联系);
- never after the party opted out (回复TD, or told the counsellor);
- to a party with a positive safety screen only on the safe number they gave for it;
- never to a number the other spouse also uses, when either screen was positive;
- never in quiet hours (21:00-08:00): the message waits for the morning.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

QUIET_START = time(21, 0)
QUIET_END = time(8, 0)


@dataclass(frozen=True)
class Recipient:
    consented: bool
    opted_out: bool
    screened_positive: bool
    phone: str | None  # normalised, or None
    safe_phone: str | None
    other_positive: bool = False
    other_numbers: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Decision:
    """Send to `phone` now, wait until `wait_until`, or withhold for `reason`."""

    phone: str | None = None
    wait_until: datetime | None = None
    reason: str = ""

    @property
    def send(self) -> bool:
        return self.phone is not None


def in_quiet_hours(moment: datetime) -> bool:
    clock = moment.time()
    return clock >= QUIET_START or clock < QUIET_END


def next_morning(moment: datetime) -> datetime:
    """The end of the quiet hours `moment` falls in (08:00 that day or the next)."""
    morning = moment.replace(hour=QUIET_END.hour, minute=0, second=0, microsecond=0)
    return morning if moment.time() < QUIET_END else morning + timedelta(days=1)


def number_for(recipient: Recipient) -> tuple[str | None, str]:
    """The number a message may go to, or None and the reason it may not."""
    if not recipient.consented:
        return None, "no_consent"
    if recipient.opted_out:
        return None, "opted_out"
    if recipient.screened_positive:
        if not recipient.safe_phone:
            return None, "no_safe_number"
        number = recipient.safe_phone
    else:
        if not recipient.phone:
            return None, "no_number"
        number = recipient.phone
    if (recipient.screened_positive or recipient.other_positive) and (
        number in recipient.other_numbers
    ):
        return None, "shared_number"
    return number, ""


def decide(recipient: Recipient, now: datetime) -> Decision:
    """`now` is local (Beijing) time. Safety and consent first; then the clock."""
    number, reason = number_for(recipient)
    if number is None:
        return Decision(reason=reason)
    if in_quiet_hours(now):
        return Decision(wait_until=next_morning(now), reason="quiet_hours")
    return Decision(phone=number)
