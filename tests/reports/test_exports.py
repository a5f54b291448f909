"""The exports as a spreadsheet user opens them: CSV in UTF-8 with a byte-order mark; XLSX with
sheets named in Chinese, columns wide enough, frozen header rows and number formats."""

import io
import re

from django.urls import reverse
from openpyxl import load_workbook

from reports import exports
from reports.tables import Table

PERIOD = {"first": "2021-03", "last": "2021-05"}


def test_the_csv_starts_with_a_byte_order_mark_and_reads_as_chinese(
    client, civil_affairs, busy_month
):
    client.force_login(civil_affairs)

    response = client.get(reverse("reports:dashboard-export", args=["csv"]), PERIOD)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "同心统计"
    assert "婚姻家庭辅导工作统计表（MZ/T 084）" in text


def test_the_workbook_has_chinese_sheet_names_widths_frozen_headers_and_formats(
    client, civil_affairs, busy_month
):
    client.force_login(civil_affairs)

    response = client.get(reverse("reports:dashboard-export", args=["xlsx"]), PERIOD)

    book = load_workbook(io.BytesIO(response.content))
    names = book.sheetnames
    assert names[0] == "说明"
    assert "婚姻家庭辅导工作统计表（MZ／T 084）" in names
    assert "逐月情况" in names
    assert len(names) == len(set(names))
    assert all(len(name) <= 31 for name in names)
    assert all(re.search(r"[\u4e00-\u9fff]", name) for name in names)
    mzt = book["婚姻家庭辅导工作统计表（MZ／T 084）"]
    assert mzt.freeze_panes == "B4"
    assert mzt.column_dimensions["A"].width >= 18  # "双台子区婚姻登记处" fits
    assert all(mzt.column_dimensions[c].width >= 8 for c in ("B", "C", "Z"))
    formats = {
        cell.number_format
        for row in mzt.iter_rows(min_row=4)
        for cell in row[1:]
        if not isinstance(cell.value, str)
    }
    assert formats == {"#,##0"}
    hidden = [cell for row in mzt.iter_rows(min_row=4) for cell in row if cell.value == "<5"]
    assert hidden
    assert all(cell.alignment.horizontal == "right" for cell in hidden)
    [hours] = [book[name] for name in names if "服务时长" in name]
    assert hours.freeze_panes == "B4"


def test_sheet_names_are_cut_to_31_characters_without_forbidden_ones_and_stay_unique():
    tables = [
        Table(f"t{n}", "离婚登记申请的登记结果：已辅导 / 未辅导 [按月] * 比较", []) for n in (1, 2)
    ]

    names = exports.sheet_names(tables, {"说明"})

    assert names[0] == "离婚登记申请的登记结果：已辅导 ／ 未辅导 【按月】 ＊ 比较"[:31]
    assert len(names[1]) <= 31
    assert names[1].endswith("（2）")
    assert names[0] != names[1]
    assert not any(ch in name for name in names for ch in "[]:*?/\\")
