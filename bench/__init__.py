"""Benchmarks (`make bench`, `python -m bench NAME`): figures quoted in issues, never in tests."""
