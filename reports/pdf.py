"""The monthly report as a Chinese PDF (WeasyPrint): render, serve only our static files, no boxes.
May import reports' pages, figures, queries and charts; no service and no key.

Refuses any resource that is not one of our static files, and fails on a missing glyph instead
of shipping boxes.
"""

import logging
import mimetypes
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mediation.calendar import next_month

from . import charts, pages
from .figures import GROUPS, RATES, SUPPRESSION_DEFINITION
from .queries import audit_head

STATIC_BASE = "https://tongxin.invalid/static/"
FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", sans-serif'


class ReportRenderError(RuntimeError):
    """The PDF would be wrong (a missing glyph, a foreign resource): nothing is written."""


def _weasyprint():
    # weasyprint is heavy: loaded when a report is made, not when the site starts.
    import weasyprint  # noqa: PLC0415
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse  # noqa: PLC0415

    class StaticOnlyFetcher(URLFetcher):
        """Serves our static files and nothing else: no network, no file system."""

        def fetch(self, url, headers=None):
            if not url.startswith(STATIC_BASE):
                raise FatalURLFetchingError(f"refused resource outside our static files: {url}")
            relative = url.removeprefix(STATIC_BASE).split("?")[0]
            path = finders.find(relative) if ".." not in relative else None
            if not path:
                raise FatalURLFetchingError(f"no such static file: {relative}")
            with open(path, "rb") as handle:
                body = handle.read()
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return weasyprint, StaticOnlyFetcher


class _GlyphWatch(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.missing: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if ".notdef" in message or "glyph" in message.lower():
            self.missing.append(message)
        else:
            self.warnings.append(message)


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    warnings: list[str]


def render_pdf(html: str) -> Rendered:
    """HTML to PDF. Raises ReportRenderError on a missing glyph or a refused resource."""
    weasyprint, fetcher_class = _weasyprint()
    watch = _GlyphWatch()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(watch)
    try:
        document = weasyprint.HTML(
            string=html, base_url=STATIC_BASE, url_fetcher=fetcher_class(fail_on_errors=True)
        ).render()
        pdf = document.write_pdf()
    except weasyprint.urls.FatalURLFetchingError as error:
        raise ReportRenderError(str(error)) from error
    finally:
        logger.removeHandler(watch)
    if watch.missing:
        raise ReportRenderError("missing glyphs: " + "; ".join(watch.missing[:3]))
    return Rendered(pdf, len(document.pages), watch.warnings)


def trend_chart(table, title: str) -> str:
    rows = [row for row in table.rows if not row.is_total]
    labels = [row.label for row in rows]
    series = [
        (str(column.label), [row.cells[index].number for row in rows])
        for index, column in enumerate(table.columns)
    ]
    return charts.line_chart(title, labels, series)


def comparison_chart(table, title: str) -> str:
    bars = [(row.label, row.cells[0].number) for row in table.rows if not row.is_total]
    return charts.bar_chart(title, bars)


def report_context(page: pages.MonthlyPage, *, made_by: str = "", made_at: datetime | None = None):
    month = page.first
    seq, head = audit_head(next_month(month))
    return {
        "page": page,
        "month": month,
        "month_end": next_month(month) - timedelta(days=1),
        "offices": page.offices,
        "made_by": made_by,
        "made_at": timezone.localtime(made_at or timezone.now()),
        "audit_seq": seq,
        "audit_head": head,
        "groups": GROUPS,
        "rates": RATES,
        "suppression_definition": SUPPRESSION_DEFINITION,
        "trend_chart": trend_chart(page.tables["trend"], _("Month by month, all offices")),
        "comparison_chart": comparison_chart(
            page.cumulative_tables["comparison"], _("Reconciled couples by office, cumulative")
        ),
        "font_family": FONT_FAMILY,
    }


def monthly_report(
    offices, month: date, *, made_by: str = "", made_at: datetime | None = None
) -> tuple[Rendered, pages.MonthlyPage, dict]:
    """Build the month's page and render it to PDF, in Chinese whatever the caller's language."""
    with translation.override("zh-hans"):
        page = pages.monthly(offices, month)
        context = report_context(page, made_by=made_by, made_at=made_at)
        html = render_to_string("reports/report_pdf.html", context)
        return render_pdf(html), page, context
