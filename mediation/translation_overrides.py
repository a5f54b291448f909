"""Messages of Django's own whose stock Chinese translation is wrong; our catalogue corrects them.

Django's zh_Hans text for this validator reads "不允许是用空字符串。" (wrong and misspelt). The
msgid here must match Django's exactly so that our LOCALE_PATHS catalogue wins.
"""

from django.utils.translation import gettext_lazy as _

OVERRIDES = [
    _("Null characters are not allowed."),
]
