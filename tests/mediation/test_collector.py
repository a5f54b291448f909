"""The cycle collector is paused for a block and left as it was found, even when the block fails:
a report rendered or data generated inside a process that had paused it keeps it paused, and a
process that had it running gets it back with nothing left frozen."""

import gc

import pytest

from mediation.collector import cycle_collector_paused


def _fail_while_paused(freeze: bool) -> None:
    with cycle_collector_paused(freeze=freeze):
        assert not gc.isenabled()
        raise RuntimeError


@pytest.mark.parametrize("freeze", [False, True])
def test_the_collector_runs_again_after_the_block_even_when_it_fails(freeze):
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        _fail_while_paused(freeze)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_collector_paused_before_stays_paused():
    gc.disable()
    try:
        with cycle_collector_paused(freeze=True):
            assert gc.get_freeze_count() > 0
        assert not gc.isenabled()
    finally:
        gc.enable()
