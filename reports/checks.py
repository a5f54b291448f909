"""System checks of the reports app: refuse to start with a document-number pattern or an
issuing authority that would print a wrong official document.
Imports reports' document module.
"""

from django.conf import settings
from django.core import checks

from .document import pattern_problem


@checks.register("tongxin_reports")
def official_document_settings(app_configs, **kwargs):
    errors = []
    problem = pattern_problem(settings.REPORT_NUMBER_PATTERN)
    if problem:
        errors.append(
            checks.Error(
                f"TONGXIN_REPORT_NUMBER_PATTERN {settings.REPORT_NUMBER_PATTERN!r}: {problem}.",
                hint="For example: 盘民调〔{year}〕{number}号",
                id="tongxin.E101",
            )
        )
    if not settings.REPORT_AUTHORITY.strip():
        errors.append(
            checks.Error(
                "TONGXIN_REPORT_AUTHORITY is empty: a report needs its issuing authority.",
                hint="For example: 盘锦市民政局",
                id="tongxin.E102",
            )
        )
    return errors
