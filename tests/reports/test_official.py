"""The report as an official document: who issues it, its number (文号), its first page, nothing
a reader cannot act on, the audit checkpoint in words, PDF/A-2b and tags, a draft before it is
issued, a replaced report kept and marked, and a layout where no heading ends a page."""

import hashlib
import io
from collections import defaultdict
from datetime import date, datetime
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from pypdf import PdfReader
from weasyprint.formatting_structure import boxes

from mediation import services as case_services
from mediation.models import Category, Port, RegistryOffice
from mediation.roles import Role
from reports import checks, pages, pdf, periods, services
from reports.models import DocumentNumber, MonthlyReport
from reports.queries import audit_head
from tests.factories import make_user
from tests.helpers import error_codes

APRIL = periods.month(date(2021, 4, 1))
BEIJING = ZoneInfo("Asia/Shanghai")


def texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


def archived(period=APRIL, offices=(), user=None, issuer="定时任务"):
    return services.make_report(
        period=period, offices=list(offices), confirmed_by=user, issuer=issuer
    )


def first_page(report) -> str:
    path = services.report_path(report)
    assert path is not None, "the report has no archived file"
    return flat(texts(path.read_bytes())[0])


def test_the_first_page_names_the_authorities_the_number_the_date_and_the_person(
    pilot, civil_affairs, time_machine
):
    time_machine.move_to(datetime(2021, 5, 8, 10, tzinfo=BEIJING), tick=False)

    report = archived(user=civil_affairs)

    page = first_page(report)
    assert report.number == "盘民调〔2021〕1号"
    for words in ("盘锦市民政局", "盘锦市妇女联合会", "盘民调〔2021〕1号", "2021年5月8日"):
        assert words in page
    assert "2021年4月婚姻家庭调解工作统计报告" in page
    assert "生成人刘民政" in page
    assert "目录" in page
    assert "一、总体情况" in page


def test_a_scheduled_report_names_the_scheduled_task_and_a_command_the_server_account(
    pilot, tmp_path
):
    [scheduled] = services.scheduled_reports(today=date(2021, 5, 6))

    assert "生成人定时任务" in first_page(scheduled)

    by_hand = archived(period=periods.month(date(2021, 3, 1)), issuer="root（服务器账户）")
    assert "生成人root（服务器账户）" in first_page(by_hand)
    assert "定时任务" not in first_page(by_hand)


@override_settings(
    REPORT_AUTHORITY="大洼区民政局",
    REPORT_JOINT_AUTHORITIES=[],
    REPORT_LETTERHEAD="大洼区民政局文件",
    REPORT_NUMBER_PATTERN="大民调〔{year}〕第{number}号",
)
def test_the_authority_letterhead_and_number_pattern_come_from_the_settings(pilot):
    report = archived()

    page = first_page(report)
    year = report.confirmed_at.astimezone(BEIJING).year
    assert "大洼区民政局文件" in page
    assert f"大民调〔{year}〕第1号" in page
    assert "妇女联合会" not in page
    metadata = PdfReader(io.BytesIO(services.report_path(report).read_bytes())).metadata
    assert metadata.author == "大洼区民政局"


def test_a_number_pattern_without_its_fields_stops_the_start():
    with override_settings(REPORT_NUMBER_PATTERN="盘民调{number}号"):
        assert [error.id for error in checks.official_document_settings(None)] == ["tongxin.E101"]
    with override_settings(REPORT_AUTHORITY=" "):
        assert [error.id for error in checks.official_document_settings(None)] == ["tongxin.E102"]
    assert checks.official_document_settings(None) == []


def test_document_numbers_run_through_the_year_and_start_again_the_next(pilot, time_machine):
    time_machine.move_to(datetime(2025, 12, 30, 9, tzinfo=BEIJING), tick=False)
    first, second = archived(), archived(period=periods.month(date(2021, 5, 1)))
    time_machine.move_to(datetime(2026, 1, 5, 9, tzinfo=BEIJING), tick=False)
    third = archived(period=periods.month(date(2021, 6, 1)))

    assert [first.number, second.number, third.number] == [
        "盘民调〔2025〕1号",
        "盘民调〔2025〕2号",
        "盘民调〔2026〕1号",
    ]
    assert dict(DocumentNumber.objects.values_list("year", "last")) == {2025: 2, 2026: 1}


def test_a_report_that_cannot_be_made_gives_its_number_back(pilot, ps):
    RegistryOffice.objects.filter(pk=ps.pk).update(name="盘山\U000f0041")
    failing = services.confirm_report(
        report=services.request_report(period=APRIL, offices=[ps], made_by=None),
        confirmed_by=None,
        issuer="定时任务",
    )
    with pytest.raises(pdf.ReportRenderError):
        services.generate_report(report=failing)
    failing.refresh_from_db()

    made = archived(offices=[RegistryOffice.objects.get(code="XLT")])

    assert failing.status == "failed"
    assert not failing.number
    assert made.number.endswith("〕1号")


def test_nothing_a_reader_cannot_act_on_and_the_trail_in_words(pilot):
    report = archived()
    data = services.report_path(report).read_bytes()
    raw = "\n".join(texts(data))
    text = flat(raw)

    assert "manage.py" not in raw
    assert "audit verify" not in raw
    assert "0000000000" not in raw
    # The pilot was entered afterwards with historical dates: said in words, no zero hash.
    assert "本期数据系事后补录" in text
    assert services.archive_url(report) in text
    assert "SHA-256" in text
    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert action.get("/S") != "/URI"


def test_a_period_with_a_checkpoint_gives_the_trails_hash_and_how_to_check_it(xlt, time_machine):
    counselor = make_user(Role.COUNSELOR, xlt, username="april_xlt", full_name="周咨询")
    time_machine.move_to(datetime(2021, 4, 12, 10, tzinfo=BEIJING), tick=False)
    case_services.open_case(
        office=xlt,
        port=Port.DIVORCE,
        category=Category.MARITAL,
        opened_by=counselor,
        received_on=date(2021, 4, 12),
    )
    time_machine.move_to(datetime(2021, 5, 6, 9, tzinfo=BEIJING), tick=False)

    report = archived(offices=[xlt])

    text = flat("".join(texts(services.report_path(report).read_bytes())))
    seq, head = audit_head(date(2021, 5, 1))
    assert seq > 0
    assert head in text
    assert f"截至2021年4月30日24时，本系统防篡改审计日志共记录{seq}条事件" in text
    assert "事后补录" not in text


def test_the_archived_file_is_pdf_a_2b_and_tagged_with_title_authority_and_language(pilot):
    report = archived()
    reader = PdfReader(io.BytesIO(services.report_path(report).read_bytes()))

    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="2"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    assert "2021年4月婚姻家庭调解工作统计报告" in xmp
    assert "盘锦市民政局" in xmp
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "zh-CN"
    assert root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "2021年4月婚姻家庭调解工作统计报告"
    assert reader.metadata.author == "盘锦市民政局、盘锦市妇女联合会"
    roles = set()

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if "/S" in node:
                roles.add(node["/S"])
            kids = node.get("/K", [])
            for kid in kids if isinstance(kids, list) else [kids]:
                walk(kid)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(root["/StructTreeRoot"])
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Caption", "/P"} <= roles


def test_a_draft_is_watermarked_on_every_page_and_neither_numbered_nor_kept(
    pilot, civil_affairs, report_archive
):
    report = services.request_report(period=APRIL, offices=[], made_by=civil_affairs)

    data = services.preview_report(report=report, user=civil_affairs)

    assert all("草稿" in text for text in texts(data))
    assert "草稿（未编号）" in flat(texts(data)[0])
    report.refresh_from_db()
    assert report.status == "draft"
    assert not report.number
    assert not report.sha256
    assert not DocumentNumber.objects.exists()
    assert not any(report_archive.rglob("*.pdf")) if report_archive.exists() else True
    with pytest.raises(ValidationError) as error:
        services.generate_report(report=report)
    assert error_codes(error.value) == {"draft"}


def test_a_report_is_confirmed_once(pilot, civil_affairs):
    report = services.request_report(period=APRIL, offices=[], made_by=civil_affairs)
    services.confirm_report(report=report, confirmed_by=civil_affairs)

    with pytest.raises(ValidationError) as error:
        services.confirm_report(report=report, confirmed_by=civil_affairs)

    assert error_codes(error.value) == {"not_draft"}


def test_a_replaced_report_stays_in_the_archive_marked_superseded(pilot, civil_affairs, client):
    first = archived(user=civil_affairs)
    other_offices = archived(offices=[RegistryOffice.objects.get(code="PS")])

    second = archived(user=civil_affairs)

    first.refresh_from_db()
    other_offices.refresh_from_db()
    assert first.superseded_by == second
    assert not other_offices.superseded
    assert services.verify_report(report=first)
    assert services.verify_report(report=second)
    assert f"本报告替代{first.number}" in first_page(second)
    client.force_login(civil_affairs)
    detail = client.get(services.archive_url(first).removeprefix("http://127.0.0.1:8000")).text
    assert f"已被{second.number}替代" in detail
    assert first.sha256 in detail


def headings_ending_a_page(document) -> list[tuple[int, str]]:
    """Headings (h1-h3, table captions, definition terms) with nothing after them on their
    page, from WeasyPrint's laid-out boxes."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        roots = [c for c in page._page_box.children if getattr(c, "element_tag", "") == "html"]
        laid = [box for root in roots for box in root.descendants()]
        for box in laid:
            if box.element_tag not in ("h1", "h2", "h3", "caption", "dt"):
                continue
            if not isinstance(box, boxes.BlockBox):
                continue
            inside = {id(b) for b in box.descendants()}
            bottom = box.position_y + box.margin_height()
            after = [
                other
                for other in laid
                if isinstance(other, boxes.LineBox | boxes.TableRowBox | boxes.ReplacedBox)
                and id(other) not in inside
                and other.position_y >= bottom - 0.5
            ]
            if not after:
                found.append((number, box.element_tag))
    return found


@pytest.mark.parametrize(
    "period", [APRIL, periods.quarter(2021, 2), periods.year(2021)], ids=lambda p: p.slug
)
def test_no_heading_ends_a_page_and_wide_tables_get_landscape_pages(busy_month, period):
    issue = pdf.Issue(number="盘民调〔2021〕9号", issuer_name="刘民政", archive_url="https://x/")

    rendered, _page, _context = pdf.report(pages.selected_offices(), period, issue)

    assert headings_ending_a_page(rendered.document) == []
    sizes = {(round(p.width), round(p.height)) for p in rendered.document.pages}
    assert sizes == {(794, 1123), (1123, 794)}  # A4 portrait and landscape, in CSS pixels


def tables_over_pages(document) -> tuple[dict[str, list[bool]], list[str]]:
    """From WeasyPrint's laid-out boxes: for each table that runs over more than one page,
    whether each of its parts carries the header rows; and the body rows laid out on more than
    one page (split rows)."""
    parts: dict[Element, list[bool]] = defaultdict(list)
    rows: dict[Element, set[int]] = defaultdict(set)
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TableBox):
                headed = any(
                    isinstance(group, boxes.TableRowGroupBox) and group.is_header
                    for group in box.children
                )
                parts[box.element].append(headed)
            elif isinstance(box, boxes.TableRowGroupBox) and not box.is_header:
                for row in box.children:
                    rows[row.element].add(number)
    running_over = {
        table.get("id") or table.get("class") or "?": headed
        for table, headed in parts.items()
        if len(headed) > 1
    }
    split = [row.findtext(".//th") or "?" for row, on in rows.items() if len(on) > 1]
    return running_over, split


def test_a_table_running_over_a_page_repeats_its_header_and_never_splits_a_row(busy_month):
    issue = pdf.Issue(number="盘民调〔2022〕1号", issuer_name="刘民政", archive_url="https://x/")

    rendered, _page, _context = pdf.report(pages.selected_offices(), periods.year(2021), issue)
    running_over, split = tables_over_pages(rendered.document)

    assert running_over, "the annual report has a table longer than a page"
    assert all(all(headed) for headed in running_over.values()), running_over
    assert split == []


def test_the_page_count_does_not_depend_on_the_numbers(busy_month):
    issue = pdf.Issue(number="盘民调〔2021〕9号", issuer_name="刘民政", archive_url="https://x/")
    counts = {
        month: pdf.report(pages.selected_offices(), periods.month(date(2021, month, 1)), issue)[
            0
        ].pages
        for month in (4, 5)
    }
    again = pdf.report(pages.selected_offices(), APRIL, issue)[0]

    assert counts[4] == counts[5] == again.pages


def test_the_archived_bytes_are_the_ones_checksummed(pilot):
    report = archived()

    data = services.report_path(report).read_bytes()

    assert hashlib.sha256(data).hexdigest() == report.sha256
    assert report.status == MonthlyReport.Status.DONE
    assert report.pages == len(texts(data))
