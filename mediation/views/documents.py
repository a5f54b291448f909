"""Printed case documents, served as PDFs that no cache keeps. May import access and services."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from ..services.documents import Document


def pdf_response(document: Document) -> HttpResponse:
    """The PDF inline (the browser's viewer prints it), never stored by a cache."""
    response = HttpResponse(document.pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, document.filename)
    response["Cache-Control"] = "no-store"
    return response
