"""The counsellor's today page: what is overdue, today's sessions, the coming week's deadlines,
unsigned notes and follow-ups due, each bounded, with a page per section for all of it.
May import access, selectors and services; reads only (the names' read is audited)."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .. import access, selectors, services
from ..http import AuthenticatedHttpRequest

PAGE_ROWS = 25


def _with_names(request: AuthenticatedHttpRequest, rows: list[selectors.Row]) -> None:
    """Each row's parties' masked names, opened in one audited read for the page."""
    names = services.read_masked_names(
        user=request.user, cases=[row.case for row in rows], request=request
    )
    for row in rows:
        row.names = names.get(row.case.pk, "")


@never_cache
def today(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(request.user, "mediation.work_cases")
    day = timezone.localdate()
    sections = selectors.today_sections(request.user, day)
    _with_names(request, [row for section in sections for row in section.rows])
    return render(request, "mediation/today.html", {"sections": sections, "today": day})


@never_cache
def today_section(request: AuthenticatedHttpRequest, section: str) -> HttpResponse:
    """All of one section of the today page, a page at a time."""
    access.require(request.user, "mediation.work_cases")
    if section not in selectors.SECTIONS:
        raise Http404
    day = timezone.localdate()
    rows, total = selectors.section_rows(section, request.user, day, limit=None)
    page = Paginator(rows, PAGE_ROWS).get_page(request.GET.get("page"))
    _with_names(request, list(page))
    return render(
        request,
        "mediation/today_section.html",
        {
            "section": selectors.Section(
                key=section,
                title=str(selectors.SECTION_TITLES[section]),
                rows=list(page),
                total=total,
                empty=str(selectors.EMPTY[section]),
            ),
            "page": page,
            "today": day,
        },
    )
