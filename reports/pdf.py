"""The statistics report as an official Chinese document (WeasyPrint): PDF/A-2b, tagged, served
only our static files, and never with a missing glyph.
May import reports' pages, periods, document, figures, queries and charts; no service and no key.

The archived file is PDF/A-2b (long-term preservation, as GB/T 18894-2016 expects of an archived
electronic record) and tagged (headings, tables and reading order), with its title, authority
and language in its metadata. A draft carries the watermark 草稿 and no number.
"""

import logging
import mimetypes
import re
import sys
import threading
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mediation.calendar import next_month
from mediation.collector import cycle_collector_paused

from . import charts, document, pages
from .figures import GROUPS, RATES, SUPPRESSION_DEFINITION
from .periods import KIND_LABELS, Kind, Period
from .queries import Checkpoint, checkpoint
from .tables import RateValue

STATIC_BASE = "https://tongxin.invalid/static/"
# Whitespace between block-level tags becomes boxes WeasyPrint lays out for nothing.
_BLOCK = (
    r"(?:html|head|body|section|div|nav|header|figure|table|caption|thead|tbody|tr|td|th|ul|ol"
    r"|li|p|h[1-6]|dl|dt|dd|meta|link|style|title)"
)
_BETWEEN_BLOCKS = re.compile(rf"(</?{_BLOCK}\b[^>]*>)\s+(?=</?{_BLOCK}\b)")
FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", sans-serif'
PDF_VARIANT = "pdf/a-2b"


class ReportRenderError(RuntimeError):
    """The PDF would be wrong (a missing glyph, a foreign resource): nothing is written."""


class _HTTPSHandlerWithContextOnUse(urllib.request.HTTPSHandler):
    """urllib's HTTPS handler, making its SSL context (reading every CA certificate of the
    system, 30 ms) when it first opens a connection instead of when it is made."""

    def __init__(self, debuglevel=None, context=None, check_hostname=None):
        urllib.request.AbstractHTTPHandler.__init__(self, debuglevel)
        self._arguments = (debuglevel, context, check_hostname)

    def https_open(self, req):
        if not hasattr(self, "_context"):
            urllib.request.HTTPSHandler.__init__(self, *self._arguments)
        return super().https_open(req)


@contextmanager
def _without_system_probes():
    """While WeasyPrint is imported: its libraries load by their file names (WeasyPrint first
    tries names of other systems, and each miss runs ldconfig, gcc and ld through
    ctypes.util.find_library: 38 processes, a quarter of a second), and the URL fetchers of its
    built-in style sheets, which never fetch anything, make no SSL context. Other threads see
    the same library names load and an HTTPS handler that still works."""
    import ctypes.util  # noqa: PLC0415  (only needed here)

    find_library, https_handler = ctypes.util.find_library, urllib.request.HTTPSHandler
    ctypes.util.find_library = lambda name: None
    urllib.request.HTTPSHandler = _HTTPSHandlerWithContextOnUse
    try:
        yield
    finally:
        ctypes.util.find_library, urllib.request.HTTPSHandler = find_library, https_handler


_import_lock = threading.Lock()


def _import_weasyprint():
    with _import_lock:
        if "weasyprint" not in sys.modules:
            try:
                with _without_system_probes():
                    import weasyprint  # noqa: PLC0415
            except OSError:
                # A system whose libraries go by other names: let WeasyPrint look for them.
                import weasyprint  # noqa: PLC0415
    import weasyprint  # noqa: PLC0415

    return weasyprint


def _weasyprint():
    # weasyprint is heavy: loaded when a report is made, not when the site starts.
    weasyprint = _import_weasyprint()
    from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse  # noqa: PLC0415

    class StaticOnlyFetcher(weasyprint.urls.URLFetcher):
        """Serves our static files and nothing else: no network, no file system (so it needs
        none of urllib's handlers, nor the SSL context that making them costs)."""

        def __init__(self, fail_on_errors=True):
            urllib.request.OpenerDirector.__init__(self)
            self._fail_on_errors = fail_on_errors

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
    html: str = ""
    document: object = None  # WeasyPrint's laid-out document (its pages and boxes)


_fonts = threading.local()


def _font_config():
    """One font configuration per thread (Pango's font map is not shared between threads): the
    worker renders many reports, and setting up the CJK faces again for each costs time."""
    if getattr(_fonts, "config", None) is None:
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415  (weasyprint loads lazily)

        _fonts.config = FontConfiguration()
    return _fonts.config


def render_pdf(html: str, *, archival: bool = False) -> Rendered:
    """HTML to PDF; `archival` makes it PDF/A-2b and tagged. Raises ReportRenderError on a
    missing glyph or a refused resource."""
    with cycle_collector_paused():
        return _render_pdf(html, archival=archival)


def _render_pdf(html: str, *, archival: bool) -> Rendered:
    weasyprint, fetcher_class = _weasyprint()
    watch = _GlyphWatch()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(watch)
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True} if archival else {}
    try:
        laid_out = weasyprint.HTML(
            string=html, base_url=STATIC_BASE, url_fetcher=fetcher_class(fail_on_errors=True)
        ).render(font_config=_font_config(), **options)
        pdf = laid_out.write_pdf(**options)
    except weasyprint.urls.FatalURLFetchingError as error:
        raise ReportRenderError(str(error)) from error
    finally:
        logger.removeHandler(watch)
    if watch.missing:
        raise ReportRenderError("missing glyphs: " + "; ".join(watch.missing[:3]))
    return Rendered(pdf, len(laid_out.pages), watch.warnings, html, laid_out)


def _point(cell):
    return cell.value if cell.shown else cell.text


def trend_chart(table, title: str) -> str:
    rows = [row for row in table.rows if not row.is_total]
    labels = [row.label for row in rows]
    series = [
        (str(column.label), [_point(row.cells[index]) for row in rows])
        for index, column in enumerate(table.columns)
    ]
    return charts.line_chart(title, labels, series)


def comparison_chart(table, title: str) -> str:
    bars = [(row.label, _point(row.cells[0])) for row in table.rows if not row.is_total]
    return charts.bar_chart(title, bars)


@dataclass(frozen=True)
class Issue:
    """What makes the file an official document: its number, who made it and when, where its
    checksum can be checked; a draft has none of these and a watermark."""

    number: str = ""
    issuer_name: str = ""
    issued_on: date | None = None
    archive_url: str = ""
    replaces: str = ""
    draft: bool = False


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    number: str = ""


def title_of(period: Period) -> str:
    return _("Statistics report on marriage and family mediation, %(period)s") % {
        "period": period.label
    }


def _sections(page: pages.Page) -> list[Section]:
    wanted = [
        ("summary", _("Overview")),
        ("trends", _("Trends and offices compared")),
        ("mzt", _("Marriage and family counselling statistics table (MZ/T 084-2017)")),
        ("cooling_off", _("The divorce cooling-off period")),
        ("follow_ups", _("Follow-ups and referrals")),
        ("fulian", _("The women's federation's figures")),
        ("hours", _("Counsellor service hours")),
        ("parties", _("The parties")),
        ("definitions", _("Definitions")),
        ("verification", _("Checking the figures and this file")),
    ]
    return [
        Section(key, title, document.chinese_numeral(index))
        for index, (key, title) in enumerate(wanted, start=1)
    ]


def report_context(page: pages.Page, issue: Issue) -> dict:
    period = page.period
    period_end = next_month(period.last) - timedelta(days=1)
    trail: Checkpoint = checkpoint(next_month(period.last))
    issuer = document.issuer()
    issued_on = issue.issued_on or timezone.localdate()
    sections = _sections(page)
    cumulative_tables = page.cumulative_tables
    cumulative_rates: list[RateValue | None] = [*page.cumulative_rates] or [None] * len(page.rates)
    return {
        "page": page,
        "period": period,
        "kind_label": KIND_LABELS[period.kind],
        "title": title_of(period),
        "period_start": period.first,
        "period_end": period_end,
        "offices": page.offices,
        "issue": issue,
        "issuer": issuer,
        "issued_on": document.chinese_date(issued_on),
        "made_at": timezone.localtime(),
        "checkpoint": trail,
        "checkpoint_day": document.chinese_date(period_end),
        "first_written": (
            document.chinese_date(timezone.localdate(trail.first_written))
            if trail.first_written
            else ""
        ),
        "sections": sections,
        "section": {section.id: section for section in sections},
        "groups": GROUPS,
        "rates": RATES,
        "suppression_definition": SUPPRESSION_DEFINITION,
        "trend_chart": trend_chart(page.tables["trend"], _("Month by month, all offices")),
        "comparison_chart": comparison_chart(
            cumulative_tables.get("comparison") or page.tables["comparison"],
            _("Reconciled couples by office, since the rooms opened"),
        ),
        "parties_table": cumulative_tables.get("parties") or page.tables["parties"],
        "rate_rows": list(zip(page.rates, cumulative_rates, strict=True)),
        # A monthly or quarterly report gives the figures since the rooms opened as its
        # headline, rates and offices compared; the annual report adds their tables.
        "cumulative_detail": bool(cumulative_tables) and period.kind is Kind.YEAR,
        "font_family": FONT_FAMILY,
        "linked": False,
    }


def report(offices, period: Period, issue: Issue) -> tuple[Rendered, pages.Page, dict]:
    """Build the period's page and render it, in Chinese whatever the caller's language: a
    watermarked draft, or the archival PDF/A-2b."""
    with translation.override("zh-hans"):
        page = pages.build(offices, period)
        context = report_context(page, issue)
        html = _BETWEEN_BLOCKS.sub(r"\1", render_to_string("reports/report_pdf.html", context))
        return render_pdf(html, archival=not issue.draft), page, context
