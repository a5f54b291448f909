"""Timing helpers: medians of repeated runs (the machine is shared and noisy)."""

import statistics
import time
from collections.abc import Callable

from django.db import connection


def median_seconds(work: Callable[[], object], *, repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def engine() -> str:
    return connection.vendor
