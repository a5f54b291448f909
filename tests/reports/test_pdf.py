"""The report PDF: Chinese text that pypdf can read back, the right numbers, no missing glyph,
nothing fetched from outside, and an archive whose checksum proves the file."""

import hashlib
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from pypdf import PdfReader

from reports import document, pages, pdf, periods, services
from reports.models import MonthlyReport
from tests.helpers import error_codes

OFFICE_NAMES = ("兴隆台区婚姻登记处", "双台子区婚姻登记处", "大洼区婚姻登记处", "盘山县婚姻登记处")
APRIL, MAY = date(2021, 4, 1), date(2021, 5, 1)
BEIJING = ZoneInfo("Asia/Shanghai")


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_report_is_chinese_and_names_every_office_and_its_numbers(busy_month):
    rendered, page, _context = pdf.report(
        pages.selected_offices(), periods.month(APRIL), pdf.Issue(number="盘民调〔2021〕3号")
    )
    text = text_of(rendered.pdf)

    assert rendered.pages >= 5
    for name in OFFICE_NAMES:
        assert name in text
    assert "婚姻家庭辅导工作统计表" in text
    assert "自调解室2021年3月开设以来" in text
    # 8 reconciliations at XLT since March, all in April: big enough to be shown.
    assert page.reconciled_since.text == "8"
    assert "8对夫妻和好" in text.replace(" ", "")
    assert "<5" in text
    assert "盖章" in text


def test_a_character_no_font_has_fails_the_render_instead_of_printing_a_box():
    html = "<html><body><p>同心 \U000f0041</p></body></html>"

    with pytest.raises(pdf.ReportRenderError, match="glyph"):
        pdf.render_pdf(html)


def test_importing_the_renderer_leaves_library_lookup_and_https_as_they_were():
    import ctypes.util  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    find_library, https_handler = ctypes.util.find_library, urllib.request.HTTPSHandler
    with pdf._without_system_probes():
        assert ctypes.util.find_library("c") is None
        handler = urllib.request.HTTPSHandler()
        assert isinstance(handler, https_handler)
        assert not hasattr(handler, "_context")  # made when it first opens a connection

    assert ctypes.util.find_library is find_library
    assert urllib.request.HTTPSHandler is https_handler


@pytest.mark.parametrize(
    "url", ["https://example.com/logo.png", "file:///etc/passwd", "reports/../../config/x"]
)
def test_the_renderer_fetches_only_our_static_files(url):
    html = f'<html><body><p>同心</p><img src="{url}"></body></html>'

    with pytest.raises(pdf.ReportRenderError):
        pdf.render_pdf(html)


def test_the_report_stylesheet_comes_from_our_static_files():
    rendered = pdf.render_pdf(
        '<html><head><link rel="stylesheet" href="reports/report.css"></head>'
        "<body><h1>同心</h1></body></html>"
    )

    assert rendered.pages == 1
    assert rendered.warnings == []


def test_the_command_writes_the_pdf_and_archives_it_with_its_checksum(busy_month, tmp_path):
    output = tmp_path / "report.pdf"

    call_command("monthly_report", "--month", "2021-04", "--output", str(output))

    report = MonthlyReport.objects.get()
    data = output.read_bytes()
    assert report.status == MonthlyReport.Status.DONE
    assert report.number == document.document_number(report.confirmed_at.year, 1)
    assert report.sha256 == hashlib.sha256(data).hexdigest()
    assert services.report_path(report).read_bytes() == data
    assert services.verify_report(report=report)
    assert report.office_codes == "DW,PS,STZ,XLT"
    assert report.reconciled == "8"


def test_a_changed_archive_file_no_longer_verifies(busy_month):
    report = services.make_report(
        period=periods.month(APRIL), offices=[], confirmed_by=None, issuer="定时任务"
    )
    path = services.report_path(report)
    path.chmod(0o640)
    path.write_bytes(path.read_bytes() + b"%")

    assert not services.verify_report(report=report)


def test_the_command_can_report_on_some_offices_only(pilot, tmp_path):
    output = tmp_path / "ps.pdf"

    call_command("monthly_report", "--month", "2021-04", "--office", "PS", "--output", str(output))

    text = text_of(output.read_bytes())
    assert "盘山县婚姻登记处" in text
    assert "兴隆台区婚姻登记处" not in text


def test_scheduled_generation_waits_for_the_first_working_day_and_runs_once(pilot):
    # 1-5 May 2021 were the Labour Day holiday: the first working day was Thursday 6 May.
    assert services.scheduled_reports(today=date(2021, 5, 5)) == []

    [report] = services.scheduled_reports(today=date(2021, 5, 6))

    assert report.month == APRIL
    assert report.scheduled
    assert report.status == "done"
    assert report.issuer == "定时任务"
    assert report.confirmed_by is None
    assert services.scheduled_reports(today=date(2021, 5, 6)) == []
    assert services.scheduled_reports(today=date(2021, 5, 20)) == []
    assert MonthlyReport.objects.count() == 1


@pytest.mark.time_machine(datetime(2021, 5, 31, 18, tzinfo=BEIJING), tick=False)
def test_a_month_that_has_not_begun_cannot_be_reported(db):
    with pytest.raises(ValidationError) as error:
        services.request_report(period=periods.month(date(2021, 6, 1)), offices=[], made_by=None)

    assert error_codes(error.value) == {"future"}
    report = services.request_report(period=periods.month(MAY), offices=[], made_by=None)
    assert report.month == MAY
    assert report.status == MonthlyReport.Status.DRAFT
