"""Statistics pages for the civil-affairs and women's-federation administrators: counts only.
May import reports' own modules and mediation's access door, calendar and models; no crypto.

Thin views: permission (404 for everyone else), form, build or service, response.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediation import access
from mediation.calendar import previous_month
from mediation.models import RegistryOffice

from . import exports, pages, pdf, services
from .figures import GROUPS, RATES, SUPPRESSION_DEFINITION
from .forms import DashboardForm, ReportRequestForm, month_value
from .models import MonthlyReport
from .tasks import generate_monthly_report

PERMISSION = "mediation.view_statistics"


def _dashboard_page(request):
    form = DashboardForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    if not request.GET:
        form = DashboardForm({})
        form.is_valid()
    data = form.cleaned_data
    return form, pages.dashboard(data["offices"], data["first"], data["last"])


def dashboard(request):
    access.require(request.user, PERMISSION)
    form, page = _dashboard_page(request)
    context = {
        "form": form,
        "page": page,
        "groups": GROUPS,
        "rates": RATES,
        "suppression_definition": SUPPRESSION_DEFINITION,
        "query": request.GET.urlencode(),
    }
    if page is not None:
        context["trend_chart"] = pdf.trend_chart(page.tables["trend"], _("Month by month"))
        context["comparison_chart"] = pdf.comparison_chart(
            page.tables["comparison"], _("Reconciled couples by office")
        )
        context["first_value"] = month_value(page.first)
        context["last_value"] = month_value(page.last)
    return render(request, "reports/dashboard.html", context)


def dashboard_export(request, fmt: str):
    access.require(request.user, PERMISSION)
    _form, page = _dashboard_page(request)
    if page is None:
        raise Http404
    heading = [
        _("Tongxin statistics"),
        _("Offices: %(offices)s") % {"offices": "、".join(o.name for o in page.offices)},
        _("Period: %(first)s to %(last)s")
        % {"first": month_value(page.first), "last": month_value(page.last)},
        str(SUPPRESSION_DEFINITION),
    ]
    tables = list(page.tables.values())
    stem = f"tongxin-{month_value(page.first)}-{month_value(page.last)}"
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


def _labelled(reports):
    """Office names for the archive rows, from one query."""
    names = dict(RegistryOffice.objects.values_list("code", "name"))
    for report in reports:
        report.office_labels = "、".join(names.get(c, c) for c in report.office_codes_list)
    return reports


def _archive():
    return _labelled(
        list(MonthlyReport.objects.select_related("made_by").order_by("-made_at", "-pk")[:200])
    )


def report_list(request):
    access.require(request.user, PERMISSION)
    form = ReportRequestForm(initial={"month": month_value(previous_month(timezone.localdate()))})
    return render(request, "reports/report_list.html", {"reports": _archive(), "form": form})


@require_POST
def report_create(request):
    access.require(request.user, PERMISSION)
    form = ReportRequestForm(request.POST)
    if form.is_valid():
        try:
            report = services.request_report(
                month=form.cleaned_data["month"],
                offices=form.cleaned_data["offices"],
                made_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            generate_monthly_report.enqueue(report.pk)
            messages.success(
                request, _("The report is being prepared. It appears below when it is ready.")
            )
            return redirect("reports:report-list")
    return render(
        request, "reports/report_list.html", {"reports": _archive(), "form": form}, status=400
    )


def report_status(request, report_id):
    access.require(request.user, PERMISSION)
    report = get_object_or_404(MonthlyReport.objects.select_related("made_by"), uuid=report_id)
    return render(
        request, "reports/report_list.html#report-row", {"report": _labelled([report])[0]}
    )


def report_download(request, report_id):
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
