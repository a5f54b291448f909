"""One suppression per scope and period: the dashboard, the PDF, CSV and XLSX of the same offices
and months show the same text in every cell they share, hidden ones included."""

import csv
import io
from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import pages, pdf, periods

ISSUE = pdf.Issue(number="盘民调〔2021〕9号", issuer_name="刘民政", archive_url="https://x/")


class Tables(HTMLParser):
    """The data cells of every `<table id="table-…">`, row by row, as the reader sees them."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and (attributes.get("id") or "").startswith("table-"):
            self.current = attributes["id"].removeprefix("table-")
            self.tables[self.current] = []
        elif self.current and tag == "tbody":
            self.row = None
        elif self.current and tag == "tr":
            self.row = []
        elif self.current and tag == "td" and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.current and self.row:
            self.tables[self.current].append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def shown_as(cell) -> str:
    """A spreadsheet cell as Excel shows it: hours with one decimal, counts whole."""
    if isinstance(cell.value, str):
        return cell.value
    if cell.number_format == "#,##0.0":
        return f"{cell.value:.1f}"
    return str(cell.value)


def csv_tables(data: bytes, keys: list[str]) -> dict[str, list[list[str]]]:
    blocks: list[list[list[str]]] = []
    block: list[list[str]] | None = None
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
        if not row:
            block = []
            blocks.append(block)
        elif block is not None:
            block.append(row)
    return {key: [row[1:] for row in block[3:]] for key, block in zip(keys, blocks, strict=True)}


def xlsx_tables(data: bytes, keys: list[str]) -> dict[str, list[list[str]]]:
    book = load_workbook(io.BytesIO(data))
    sheets = book.worksheets[1:]
    return {
        key: [[shown_as(cell) for cell in row[1:]] for row in sheet.iter_rows(min_row=4)]
        for key, sheet in zip(keys, sheets, strict=True)
    }


SCOPES = [
    ([], "2021-04", "2021-04"),
    (["XLT", "PS"], "2021-03", "2021-05"),
    (["PS"], "2021-04", "2021-04"),
    ([], "2021-04", "2021-06"),
]


@pytest.mark.parametrize(("codes", "first", "last"), SCOPES)
def test_dashboard_pdf_csv_and_xlsx_hide_the_same_cells(
    client, civil_affairs, busy_month, codes, first, last
):
    client.force_login(civil_affairs)
    query = {"first": first, "last": last, "offices": codes}
    offices = pages.selected_offices(codes or None)
    period = periods.Period(date.fromisoformat(f"{first}-01"), date.fromisoformat(f"{last}-01"))
    page = pages.build(offices, period)
    keys = [table.key for table in page.all_tables]

    outputs = {
        "dashboard": Tables(client.get(reverse("reports:dashboard"), query).text).tables,
        "pdf": Tables(pdf.report(offices, period, ISSUE)[0].html).tables,
        "csv": csv_tables(
            client.get(reverse("reports:dashboard-export", args=["csv"]), query).content, keys
        ),
        "xlsx": xlsx_tables(
            client.get(reverse("reports:dashboard-export", args=["xlsx"]), query).content, keys
        ),
    }

    hidden = 0
    for key in keys:
        shown = {name: tables[key] for name, tables in outputs.items() if key in tables}
        assert {"csv", "xlsx"} <= set(shown), key
        reference = shown["csv"]
        for name, rows in shown.items():
            assert rows == reference, (key, name)
        hidden += sum(cell in ("<5", "×") for row in reference for cell in row)
    assert hidden > 0
    for key in ("mzt", "applications", "outcomes", "trend", "key_figures"):
        assert key in outputs["dashboard"]
        assert key in outputs["pdf"]


def test_the_pdf_prints_the_cells_its_html_holds(busy_month):
    rendered, page, _context = pdf.report(
        pages.selected_offices(), periods.month(date(2021, 4, 1)), ISSUE
    )
    printed = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages)

    for key in ("mzt", "applications", "trend"):
        table = page.tables[key]
        for row in table.rows:
            label = "合计" if row.is_total else row.label
            assert " ".join([label, *(cell.text for cell in row.cells)]) in printed, (key, label)
