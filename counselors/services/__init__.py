"""Every change of duty state that has a rule, one module per use case: planning, solving,
publishing, swaps, availability, booking, feed_tokens, profiles, coverage_rules.

Callers import the module they need (`from counselors.services import swaps`) and call its
functions by name (`swaps.request_swap(...)`); nothing is re-exported here.
"""
