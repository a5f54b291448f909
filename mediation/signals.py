"""Signals of the core app. Other apps listen; the core never imports them."""

from django.dispatch import Signal

# Sent by the statistics app whenever numbers leave it, so that each is an audit event
# (SECURITY.md: exports are events), written by the core: a CSV/XLSX download
# (action="statistics.export"), a monthly PDF rendered by the browser, the command or the schedule
# ("report.generate"), an archived PDF downloaded ("report.download"). Sent with user=<User|None>,
# action, kind="csv"|"xlsx"|"pdf", first and last=<date> (the months), office_codes=[...],
# request=<HttpRequest|None>, report=<the archived report or None>, sha256="" and outcome="ok".
statistics_exported = Signal()
