"""Signals of the core app. Other apps listen; the core never imports them."""

from django.dispatch import Signal

# Sent by `seed_demo` after the core demo data exists, with profile="default"|"panjin-2021".
demo_seeded = Signal()
