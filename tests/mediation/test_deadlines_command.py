"""`manage.py deadlines`: one tab-separated line per date of receipt."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*dates: str) -> list[list[str]]:
    out = StringIO()
    call_command("deadlines", *dates, stdout=out)
    return [line.split("\t") for line in out.getvalue().splitlines()]


def test_each_date_gives_one_line_with_both_deadlines_and_final(db):
    assert run("2026-09-01", "2026-03-02", "2026-07-06") == [
        ["2026-09-01", "2026-10-08", "2026-11-09", "final"],
        ["2026-03-02", "2026-04-01", "2026-05-06", "final"],
        ["2026-07-06", "2026-08-05", "2026-09-04", "final"],
    ]


def test_deadlines_in_a_year_not_loaded_say_provisional(db):
    assert run("2026-12-15") == [["2026-12-15", "2027-01-14", "2027-02-15", "provisional"]]


@pytest.mark.parametrize("bad", ["2026-02-30", "20260901", "tomorrow"])
def test_a_bad_date_is_refused_by_name_and_nothing_is_printed(db, bad):
    out = StringIO()

    with pytest.raises(CommandError, match=bad):
        call_command("deadlines", "2026-09-01", bad, stdout=out)

    assert out.getvalue() == ""
