"""Messages of Django's own whose stock Chinese translation is wrong or missing; our catalogue
supplies them.

Django's zh_Hans text for this validator reads "不允许是用空字符串。" (wrong and misspelt), and
Django 6.1's placeholder of an empty choice ("- Select an option -") has no zh_Hans text at all,
so every select of a model field showed it in English. The msgids here must match Django's
exactly so that our LOCALE_PATHS catalogue wins.
"""

from django.utils.translation import gettext_lazy as _

OVERRIDES = [
    _("Null characters are not allowed."),
    _("- Select an option -"),
]
