"""WSGI entry point for gunicorn (production).

gunicorn does not run Django's system checks, so the key-ring check runs here: the app refuses
to start on a missing or unfit ring rather than failing on the first sealed record.
"""

import os

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

_errors = [message for message in checks.run_checks(tags=["tongxin_keys"]) if message.is_serious()]
if _errors:
    raise ImproperlyConfigured("; ".join(str(message.msg) for message in _errors))
