"""Whether a half-day of an office is covered as its rule asks, from who is on duty then. Pure:
plain values in and out, no ORM; the roster grid, the desk and the swap check all ask it, so
"无持证" (no qualified psychological counsellor) and "人手不足" (too few counsellors) mean the
same everywhere and follow the published roster as it is now, swaps included.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .planner import COVERAGE, QUALIFIED

SHORT = COVERAGE  # fewer counsellors than the rule asks for
NO_QUALIFIED = QUALIFIED  # the rule asks for a qualified psychological counsellor; none is there


@dataclass(frozen=True)
class Rule:
    needed_am: int
    needed_pm: int
    qualified_required: bool

    def needed(self, half: str) -> int:
        return self.needed_am if half == "AM" else self.needed_pm


@dataclass(frozen=True)
class OnDuty:
    """Someone on duty in the half-day; `qualified_until` is the last day of their longest
    psychological-counsellor qualification (None: they hold none)."""

    name: str
    qualified_until: date | None

    def qualified_on(self, day: date) -> bool:
        return self.qualified_until is not None and self.qualified_until >= day


def problems(rule: Rule | None, day: date, half: str, on_duty: Iterable[OnDuty]) -> list[str]:
    """What is missing in the half-day: NO_QUALIFIED first (the rarer and graver gap), then
    SHORT. An office without a rule needs nobody."""
    if rule is None:
        return []
    people = list(on_duty)
    found = []
    if rule.qualified_required and not any(person.qualified_on(day) for person in people):
        found.append(NO_QUALIFIED)
    if len(people) < rule.needed(half):
        found.append(SHORT)
    return found


def created(before: list[str], after: list[str]) -> list[str]:
    """The problems a change brings that were not there already."""
    return [problem for problem in after if problem not in before]
