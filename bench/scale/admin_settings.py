"""Production settings plus a Django admin, for the scale bench's measuring process only.

Tongxin has no admin (config/urls.py). The scale bench compares the office case lists with the
baseline a developer would otherwise reach for, the same cases in an admin changelist
(bench/scale/admin_urls.py); these settings add it there and nowhere else.
"""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin"]
ROOT_URLCONF = "bench.scale.admin_urls"
