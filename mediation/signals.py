"""Signals of the core app. Other apps listen; the core never imports them."""

from django.dispatch import Signal

# Sent by `seed_demo` after the core demo data exists, with profile="default"|"panjin-2021".
demo_seeded = Signal()

# Sent by services.enter_calendar_year after a year's official calendar is stored, with year=<int>:
# deadlines that reached into that year were provisional and are recomputed by the listener.
calendar_year_entered = Signal()
