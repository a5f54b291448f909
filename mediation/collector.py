"""Python's cycle collector paused around work that makes many objects holding no cycles (a
PDF's layout, a generator's batches): its passes over the growing heap took a tenth to a fifth
of that work. Pure: no Django, no ORM."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """Pause the collector for the block and restore it as it was, even on an exception. With
    `freeze`, what exists before is collected and frozen first (the collector then never walks
    it again meanwhile), and unfrozen and collected after, so a long-lived process (a test run,
    a shell) does not keep garbage. The collector is process-wide: other threads go without it
    for as long as the block runs."""
    was_enabled = gc.isenabled()
    if freeze:
        gc.collect()
        gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        if freeze:
            gc.unfreeze()
            gc.collect()
