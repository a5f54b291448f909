"""Fixtures of the core's tests: a fixed today. Rules compare dates with today (a receipt date
cannot lie ahead, an outcome cannot precede the application, deadlines reach into a year that
is or is not loaded), and the tests' dates are written for this one."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

# Monday 30 November 2026, mid-morning in Beijing: the 2026 calendar is loaded, 2027 is not, and
# the September and October dates the tests use are in the past.
TODAY = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    """Freeze the clock at TODAY (time-machine) for every test of the core."""
    time_machine.move_to(TODAY, tick=False)
    return TODAY
