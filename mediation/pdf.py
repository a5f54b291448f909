"""Case documents as Chinese PDFs (WeasyPrint), by the monthly report's rules (reports/pdf.py):
only our own static files are fetched, a missing glyph fails the render instead of printing a
box, and the CJK font is found through fontconfig. May import Django's staticfiles only."""

import logging
import mimetypes
from dataclasses import dataclass

from django.contrib.staticfiles import finders

STATIC_BASE = "https://tongxin.invalid/static/"
FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", sans-serif'


class DocumentRenderError(RuntimeError):
    """The PDF would be wrong (a missing glyph, a foreign resource): nothing is served."""


class _GlyphWatch(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.missing: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if ".notdef" in message or "glyph" in message.lower():
            self.missing.append(message)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def render_pdf(html: str) -> Rendered:
    """HTML to PDF; raises DocumentRenderError on a missing glyph or a refused resource."""
    # weasyprint is heavy: loaded when a document is printed, not when the site starts.
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

    watch = _GlyphWatch()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(watch)
    try:
        document = weasyprint.HTML(
            string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher(fail_on_errors=True)
        ).render()
        pdf = document.write_pdf()
    except FatalURLFetchingError as error:
        raise DocumentRenderError(str(error)) from error
    finally:
        logger.removeHandler(watch)
    if watch.missing:
        raise DocumentRenderError("missing glyphs: " + "; ".join(watch.missing[:3]))
    return Rendered(pdf, len(document.pages))
