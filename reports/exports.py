"""CSV and XLSX of a page's tables, cell for cell as shown: the same suppression, no other data.
Takes the tables of a built page (reports.tables), imports openpyxl; no query.

CSV is UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese. XLSX has a sheet
per table named by its Chinese title, widths that fit the labels, the header rows frozen, and
counts stored as numbers (hidden ones as their text, "<5" or "×").
"""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .tables import HoursCell, Table

SHEET_NAME_LIMIT = 31
# Excel refuses []:*?/\ in a sheet name: their full-width forms read the same in Chinese.
SHEET_NAME_SAFE = str.maketrans("[]:*?/\\", "【】：＊？／＼")
HEADER_ROWS = 3  # title, group headings, column labels


def _value(cell):
    return cell.value if cell.shown else cell.text


def _rows(table: Table) -> list[list]:
    header_groups = [table.row_heading]
    for group, columns in table.groups:
        header_groups += [str(group.title)] + [""] * (len(columns) - 1)
    rows = [[table.title], header_groups, [""] + [str(c.label) for c in table.columns]]
    for row in table.rows:
        label = _("Total") if row.is_total else row.label
        rows.append([label] + [_value(cell) for cell in row.cells])
    return rows


def as_csv(tables: list[Table], heading: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in heading:
        writer.writerow([line])
    for table in tables:
        writer.writerow([])
        writer.writerows(_rows(table))
    # A byte-order mark so spreadsheet programs read the Chinese as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def display_width(text: object) -> float:
    """Columns a spreadsheet needs for `text`: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1.1 for ch in str(text))


def sheet_names(tables: list[Table], taken: set[str]) -> list[str]:
    """Each table's title as its sheet name: at most 31 characters, none of []:*?/\\, unique."""
    names = []
    for table in tables:
        base = str(table.title).translate(SHEET_NAME_SAFE).strip() or table.key
        name, number = base[:SHEET_NAME_LIMIT], 2
        while name in taken:
            suffix = f"（{number}）"
            name, number = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
        taken.add(name)
        names.append(name)
    return names


BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EDF2F7")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center", horizontal="center")
RIGHT = Alignment(horizontal="right")


def as_xlsx(tables: list[Table], heading: list[str]) -> bytes:
    workbook = Workbook()
    about = workbook.active
    about.title = _("About")
    for line in heading:
        about.append([line])
    about.column_dimensions["A"].width = 100
    for table, name in zip(tables, sheet_names(tables, {about.title}), strict=True):
        _table_sheet(workbook.create_sheet(name), table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _table_sheet(sheet, table: Table) -> None:
    """One table on its sheet: bold header rows with merged group headings, number formats,
    widths that fit the labels, frozen headers."""
    rows = _rows(table)
    for row in rows:
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=12)
    for row in sheet.iter_rows(min_row=2, max_row=HEADER_ROWS):
        for cell in row:
            cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, HEADER_ALIGNMENT
    start = 2
    for _group, columns in table.groups:
        if len(columns) > 1:
            sheet.merge_cells(
                start_row=2, start_column=start, end_row=2, end_column=start + len(columns) - 1
            )
        start += len(columns)
    _number_formats(sheet, table)
    labels = [display_width(row[0]) for row in rows[1:]]
    sheet.column_dimensions["A"].width = min(max([10, *labels]) + 2, 48)
    for column in range(2, len(table.columns) + 2):
        label = str(table.columns[column - 2].label)
        sheet.column_dimensions[get_column_letter(column)].width = min(
            max(8, display_width(label) / 2 + 2), 18
        )
    sheet.freeze_panes = sheet.cell(row=HEADER_ROWS + 1, column=2)


def _number_formats(sheet, table: Table) -> None:
    """Totals in bold; hidden values (text) right-aligned, counts and hours formatted."""
    hours = [isinstance(cell, HoursCell) for cell in (table.rows[0].cells if table.rows else [])]
    for index, row in enumerate(table.rows, start=HEADER_ROWS + 1):
        if row.is_total or row.is_subtotal:
            for cell in sheet[index]:
                cell.font = BOLD
        for column in range(2, len(row.cells) + 2):
            target = sheet.cell(row=index, column=column)
            if isinstance(target.value, str):
                target.alignment = RIGHT
            else:
                target.number_format = "#,##0.0" if hours[column - 2] else "#,##0"
