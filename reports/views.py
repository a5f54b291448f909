"""Statistics pages for the civil-affairs and women's-federation administrators: counts only.
May import reports' own modules and mediation's access door, roles, calendar and models; no
crypto.

Thin views: permission (404 for everyone else), form, build or service, response.
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediation import access
from mediation.calendar import previous_month
from mediation.http import AuthenticatedHttpRequest
from mediation.models import RegistryOffice
from mediation.roles import Role, roles_of

from . import exports, pages, pdf, periods, services
from .figures import GROUPS, RATES, SUPPRESSION_DEFINITION
from .forms import DashboardForm, ReportRequestForm, month_value
from .models import MonthlyReport
from .tasks import generate_monthly_report

PERMISSION = "mediation.view_statistics"


def _dashboard_page(request: AuthenticatedHttpRequest) -> tuple[DashboardForm, pages.Page | None]:
    form = DashboardForm(request.GET)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, pages.build(data["offices"], data["period"])


def _preset_links(
    request: AuthenticatedHttpRequest, page: pages.Page | None
) -> list[dict[str, object]]:
    """上月 / 本季度 / 本年 / 自开设以来, for the offices chosen; the one shown is marked."""
    today = timezone.localdate()
    opened = page.opened if page else today
    codes = request.GET.getlist("offices")
    links: list[dict[str, object]] = []
    for preset, label in periods.PRESET_LABELS.items():
        period = periods.preset(preset, today, opened)
        query = "&".join([f"preset={preset.value}", *(f"offices={code}" for code in codes)])
        links.append(
            {"label": label, "query": query, "current": page is not None and page.period == period}
        )
    return links


def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(request.user, PERMISSION)
    form, page = _dashboard_page(request)
    context: dict[str, object] = {
        "form": form,
        "page": page,
        "groups": GROUPS,
        "rates": RATES,
        "suppression_definition": SUPPRESSION_DEFINITION,
        "linked": True,
        "fulian_first": Role.WOMENS_FEDERATION in roles_of(request.user),
        "presets": _preset_links(request, page),
    }
    if page is not None:
        chosen = [office.code for office in page.offices]
        form = DashboardForm(
            initial={
                "first": month_value(page.first),
                "last": month_value(page.last),
                "offices": chosen if request.GET.getlist("offices") else [],
            }
        )
        context["form"] = form
        context["query"] = "&".join(
            [
                f"first={month_value(page.first)}",
                f"last={month_value(page.last)}",
                *(f"offices={code}" for code in request.GET.getlist("offices")),
            ]
        )
        context["trend_chart"] = pdf.trend_chart(page.tables["trend"], _("Month by month"))
        context["comparison_chart"] = pdf.comparison_chart(
            page.tables["comparison"], _("Reconciled couples by office")
        )
    return render(request, "reports/dashboard.html", context)


def dashboard_export(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    access.require(request.user, PERMISSION)
    _form, page = _dashboard_page(request)
    if page is None:
        raise Http404
    heading = [
        _("Tongxin statistics"),
        _("Offices: %(offices)s") % {"offices": "、".join(o.name for o in page.offices)},
        _("Period: %(period)s") % {"period": page.period.label},
        str(SUPPRESSION_DEFINITION),
    ]
    tables = page.all_tables
    stem = f"tongxin-{page.period.slug}"
    if fmt == "csv":
        body, content_type = exports.as_csv(tables, heading), "text/csv; charset=utf-8"
    else:
        body = exports.as_xlsx(tables, heading)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    services.record_export(
        action="statistics.export",
        user=request.user,
        kind=fmt,
        first=page.first,
        last=page.last,
        office_codes=[office.code for office in page.offices],
        request=request,
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def _office_labels(reports: list[MonthlyReport]) -> dict[int, str]:
    """The offices' names of each report (by its id, for the `lookup` filter), from one query."""
    names = dict(RegistryOffice.objects.values_list("code", "name"))
    return {
        report.pk: "、".join(names.get(c, c) for c in report.office_codes_list)
        for report in reports
    }


def _report_list(
    request: AuthenticatedHttpRequest, form: ReportRequestForm, status: int = 200
) -> HttpResponse:
    reports = list(
        MonthlyReport.objects.select_related("made_by", "superseded_by").order_by(
            "-made_at", "-pk"
        )[:200]
    )
    return render(
        request,
        "reports/report_list.html",
        {"reports": reports, "labels": _office_labels(reports), "form": form},
        status=status,
    )


def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require(request.user, PERMISSION)
    form = ReportRequestForm(initial={"month": month_value(previous_month(timezone.localdate()))})
    return _report_list(request, form)


@require_POST
def report_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make a draft and show it: it is archived only once someone confirms it."""
    access.require(request.user, PERMISSION)
    form = ReportRequestForm(request.POST)
    if form.is_valid():
        try:
            report = services.request_report(
                period=form.cleaned_data["period"],
                offices=form.cleaned_data["offices"],
                made_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("reports:report-detail", report_id=report.uuid)
    return _report_list(request, form, status=400)


def _report(report_id: UUID, **filters: str) -> MonthlyReport:
    return get_object_or_404(
        MonthlyReport.objects.select_related("made_by", "confirmed_by", "superseded_by"),
        uuid=report_id,
        **filters,
    )


def report_detail(request: AuthenticatedHttpRequest, report_id: UUID) -> HttpResponse:
    """One report: a draft to preview and confirm, or an archived one with its number and
    checksum (the page the printed report names for checking the file)."""
    access.require(request.user, PERMISSION)
    report = _report(report_id)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "labels": _office_labels([report]),
            "supersedes": list(report.supersedes.all()),
        },
    )


def report_preview(request: AuthenticatedHttpRequest, report_id: UUID) -> HttpResponse:
    access.require(request.user, PERMISSION)
    report = _report(report_id, status=MonthlyReport.Status.DRAFT)
    body = services.preview_report(report=report, user=request.user, request=request)
    response = HttpResponse(body, content_type="application/pdf")
    name = f"tongxin-{report.period.slug}-draft.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_POST
def report_confirm(request: AuthenticatedHttpRequest, report_id: UUID) -> HttpResponse:
    """The person signed in confirms the draft: it is numbered, rendered and archived in the
    background, and the archive shows its progress."""
    access.require(request.user, PERMISSION)
    report = _report(report_id)
    try:
        report = services.confirm_report(report=report, confirmed_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:report-detail", report_id=report.uuid)
    generate_monthly_report.enqueue(report.pk)
    messages.success(request, _("The report is being archived. It appears below when it is ready."))
    return redirect("reports:report-list")


def report_status(request: AuthenticatedHttpRequest, report_id: UUID) -> HttpResponse:
    access.require(request.user, PERMISSION)
    report = _report(report_id)
    return render(
        request,
        "reports/report_list.html#report-row",
        {"report": report, "labels": _office_labels([report])},
    )


def report_download(request: AuthenticatedHttpRequest, report_id: UUID) -> HttpResponseBase:
    access.require(request.user, PERMISSION)
    report = get_object_or_404(MonthlyReport, uuid=report_id, status=MonthlyReport.Status.DONE)
    path = services.download_report(report=report, user=request.user, request=request)
    if path is None:
        messages.error(
            request,
            _(
                "The archived file of this report no longer matches its checksum. "
                "Tell the system administrator."
            ),
        )
        return redirect("reports:report-list")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)
