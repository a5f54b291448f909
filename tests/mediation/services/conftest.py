import pytest


@pytest.fixture(autouse=True)
def _today(frozen_today):
    """Every rule test runs on the same day (tests/mediation/conftest.py, TODAY)."""
    return frozen_today
