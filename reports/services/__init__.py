"""The reports' changes of state, one module per use case: `monthly` (drafts, previews,
confirmation, numbering, archiving, superseding, verifying; recording every export) and
`schedule` (the reports due on a month's first working day). The public names are re-exported
here: callers write `services.request_report(...)`."""

from .monthly import (
    archive_dir,
    archive_url,
    confirm_report,
    download_report,
    generate_report,
    make_report,
    preview_report,
    record_export,
    report_path,
    request_report,
    sha256_of,
    verify_report,
)
from .schedule import first_working_day, scheduled_reports

__all__ = [
    "archive_dir",
    "archive_url",
    "confirm_report",
    "download_report",
    "first_working_day",
    "generate_report",
    "make_report",
    "preview_report",
    "record_export",
    "report_path",
    "request_report",
    "scheduled_reports",
    "sha256_of",
    "verify_report",
]
