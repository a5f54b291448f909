"""Registry events as rows: reading a registry's CSV or XLSX export and checking each row.
Pure: bytes or plain mappings in, checked rows or coded errors (with line numbers) out; no ORM.

The same row check serves the upload and the API, so a row means the same thing both ways.
Offices and applications are looked up by the services (mediation/services/registry_*.py).
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from openpyxl import load_workbook

from .identity import InvalidIdNumber, normalise_id_number

MAX_ROWS = 5000
APPLICATION_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]{0,39}")
CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
NUMERIC_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


class EventKind(StrEnum):
    """The registry's events (DOMAIN.md, 'Registry practice')."""

    RECEIVED = "received"
    WITHDRAWN = "withdrawn"
    CERTIFICATE = "certificate"
    DEEMED_WITHDRAWN = "deemed_withdrawn"


# What a registry export may call each event, in Chinese or in English.
KIND_WORDS: dict[str, EventKind] = {
    "received": EventKind.RECEIVED,
    "受理": EventKind.RECEIVED,
    "申请受理": EventKind.RECEIVED,
    "离婚登记申请受理": EventKind.RECEIVED,
    "withdrawn": EventKind.WITHDRAWN,
    "撤回": EventKind.WITHDRAWN,
    "撤回申请": EventKind.WITHDRAWN,
    "certificate": EventKind.CERTIFICATE,
    "发证": EventKind.CERTIFICATE,
    "发给离婚证": EventKind.CERTIFICATE,
    "deemed_withdrawn": EventKind.DEEMED_WITHDRAWN,
    "视为撤回": EventKind.DEEMED_WITHDRAWN,
}

# Column headings, Chinese first, with the field each one fills.
COLUMNS: dict[str, str] = {
    "申请编号": "application_number",
    "application_number": "application_number",
    "事件": "kind",
    "event": "kind",
    "kind": "kind",
    "日期": "date",
    "date": "date",
    "登记处": "office",
    "登记处代码": "office",
    "office": "office",
    "当事人一身份证号": "id_number_1",
    "身份证号1": "id_number_1",
    "id_number_1": "id_number_1",
    "当事人二身份证号": "id_number_2",
    "身份证号2": "id_number_2",
    "id_number_2": "id_number_2",
}
REQUIRED_COLUMNS = ("application_number", "kind", "date", "office")


class FileError(ValueError):
    """The file as a whole cannot be read; `code` says why (unreadable, no_header, columns,
    too_many_rows, empty)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class RowError:
    """Why one row was refused: its line in the file, the field to blame, a code."""

    line: int
    field: str
    code: str


@dataclass(frozen=True)
class EventRow:
    """A checked row: ID numbers normalised (GB 11643), present only for a received application."""

    line: int
    application_number: str
    kind: EventKind
    occurred_on: date
    office: str
    id_numbers: tuple[str, str] | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "application_number": self.application_number,
            "kind": self.kind.value,
            "occurred_on": self.occurred_on.isoformat(),
            "office": self.office,
            "id_numbers": list(self.id_numbers) if self.id_numbers else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> "EventRow":
        numbers = data.get("id_numbers")
        return cls(
            line=int(str(data["line"])),
            application_number=str(data["application_number"]),
            kind=EventKind(str(data["kind"])),
            occurred_on=date.fromisoformat(str(data["occurred_on"])),
            office=str(data["office"]),
            id_numbers=(str(numbers[0]), str(numbers[1]))
            if isinstance(numbers, list | tuple)
            else None,
        )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_date(value: object) -> date | None:
    """A date as registries write it: 2026-12-01, 2026/12/1, 2026年12月1日, or a sheet's date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = NUMERIC_DATE.fullmatch(text) or CHINESE_DATE.fullmatch(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def check_row(line: int, values: Mapping[str, object]) -> EventRow | list[RowError]:
    """One row's fields, checked: a known event, a real date, an application number, an office
    code, and for a received application both parties' valid and different ID numbers (the ID
    numbers of other events are ignored: the application already has them)."""
    errors: list[RowError] = []
    number = _text(values.get("application_number")).upper()
    if not number:
        errors.append(RowError(line, "application_number", "required"))
    elif not APPLICATION_NUMBER.fullmatch(number):
        errors.append(RowError(line, "application_number", "application_number"))
    kind_text = _text(values.get("kind"))
    kind = KIND_WORDS.get(kind_text) or KIND_WORDS.get(kind_text.lower())
    if kind is None:
        errors.append(RowError(line, "kind", "required" if not kind_text else "kind"))
    raw_date = values.get("date")
    occurred_on = parse_date(raw_date)
    if occurred_on is None:
        errors.append(RowError(line, "date", "required" if not _text(raw_date) else "date"))
    office = _text(values.get("office")).upper()
    if not office:
        errors.append(RowError(line, "office", "required"))
    id_numbers: tuple[str, str] | None = None
    if kind == EventKind.RECEIVED:
        id_numbers = _check_id_numbers(line, values, errors)
    if errors or kind is None or occurred_on is None:
        return errors
    return EventRow(line, number, kind, occurred_on, office, id_numbers)


def _check_id_numbers(
    line: int, values: Mapping[str, object], errors: list[RowError]
) -> tuple[str, str] | None:
    """Both parties' ID numbers, normalised; what is wrong with them goes to `errors`."""
    normalised: list[str] = []
    for field in ("id_number_1", "id_number_2"):
        raw = _text(values.get(field))
        if not raw:
            errors.append(RowError(line, field, "required"))
            continue
        try:
            normalised.append(normalise_id_number(raw))
        except InvalidIdNumber as error:
            errors.append(RowError(line, field, f"id_{error.code}"))
    if len(normalised) != 2:
        return None
    if normalised[0] == normalised[1]:
        errors.append(RowError(line, "id_number_2", "same_person"))
    return (normalised[0], normalised[1])


def _records(
    header: list[object], rows: Iterable[tuple[int, list[object]]]
) -> Iterator[tuple[int, dict[str, object]]]:
    fields = [COLUMNS.get(_text(name)) or COLUMNS.get(_text(name).lower()) for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in fields]
    if missing:
        raise FileError("columns", ", ".join(missing))
    for line, cells in rows:
        if all(not _text(cell) for cell in cells):
            continue
        yield (
            line,
            {field: cell for field, cell in zip(fields, cells, strict=False) if field is not None},
        )


def _csv_rows(content: bytes) -> tuple[list[object], list[tuple[int, list[object]]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileError("unreadable")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileError("empty") from None
    except csv.Error:
        raise FileError("unreadable") from None
    rows: list[tuple[int, list[object]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, list(cells)))
    except csv.Error:
        raise FileError("unreadable") from None
    return list(header), rows


def _xlsx_rows(content: bytes) -> tuple[list[object], list[tuple[int, list[object]]]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileError("unreadable") from None
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        header = list(next(iterator))
    except StopIteration:
        raise FileError("empty") from None
    rows = [(line, list(cells)) for line, cells in enumerate(iterator, start=2)]
    workbook.close()
    return header, rows


def read_file(filename: str, content: bytes) -> tuple[list[EventRow], list[RowError]]:
    """Every row of a registry file (CSV in UTF-8 or GB18030, or XLSX; the first row holds the
    headings), checked. A row repeating an earlier row's application and event is refused
    (code duplicate_in_file). Raises FileError when the file itself cannot be read."""
    is_xlsx = filename.lower().endswith(".xlsx") or content[:2] == b"PK"
    header, raw_rows = _xlsx_rows(content) if is_xlsx else _csv_rows(content)
    if len(raw_rows) > MAX_ROWS:
        raise FileError("too_many_rows", str(MAX_ROWS))
    good: list[EventRow] = []
    errors: list[RowError] = []
    seen: set[tuple[str, str]] = set()
    for line, values in _records(header, raw_rows):
        checked = check_row(line, values)
        if isinstance(checked, list):
            errors.extend(checked)
            continue
        key = (checked.application_number, checked.kind.value)
        if key in seen:
            errors.append(RowError(line, "application_number", "duplicate_in_file"))
            continue
        seen.add(key)
        good.append(checked)
    if not good and not errors:
        raise FileError("empty")
    return good, errors
