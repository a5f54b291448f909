"""Fixtures of the core's tests: a fixed today, for rules that compare dates with it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

# Monday 30 November 2026, mid-morning in Beijing: the 2026 calendar is loaded, 2027 is not, and
# the September and October dates the tests use are in the past.
TODAY = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def frozen_today(time_machine):
    """Freeze the clock at TODAY (time-machine): tests that compare with today never drift."""
    time_machine.move_to(TODAY, tick=False)
    return TODAY
