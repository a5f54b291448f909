"""CSV and XLSX of a page's tables, cell for cell as shown: the same suppression, no other data.
Takes the tables of a built page (reports.tables), imports openpyxl; no query.
"""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .tables import Table


def _rows(table: Table) -> list[list]:
    header_groups = [table.row_heading]
    for group, columns in table.groups:
        header_groups += [str(group.title)] + [""] * (len(columns) - 1)
    rows = [[table.title], header_groups, [""] + [str(c.label) for c in table.columns]]
    for row in table.rows:
        label = _("Total") if row.is_total else row.label
        rows.append([label] + [cell.value if cell.shown else cell.text for cell in row.cells])
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


def as_xlsx(tables: list[Table], heading: list[str]) -> bytes:
    workbook = Workbook()
    about = workbook.active
    about.title = _("About")
    for line in heading:
        about.append([line])
    for index, table in enumerate(tables, start=1):
        sheet = workbook.create_sheet(f"{index:02d} {table.key}"[:31])
        for row in _rows(table):
            sheet.append(row)
        for cell in sheet[1] + sheet[2] + sheet[3]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
