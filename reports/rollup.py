"""Where the statistics pages get their monthly counts from."""

from datetime import date

from .queries import Counts, monthly_counts


def counts(office_ids: list[int], first: date, last: date) -> Counts:
    return monthly_counts(office_ids, first, last)
