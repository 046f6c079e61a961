"""Reading the tables bureaus and schools keep: CSV (UTF-8 with or without BOM, or
GB18030/GBK, which Excel on a Chinese Windows writes) or XLSX, first row the header.
Anything unreadable is a BadRequest naming the file (or the row), never a crash."""
import csv
import io
from datetime import time
from pathlib import Path

from shared.errors import BadRequest


def rows(content, filename):
    """`content` is bytes; `filename` decides the format (.csv or .xlsx)."""
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".xlsx":
        return list(_xlsx_rows(content))
    if suffix in (".csv", ".txt", ""):
        return list(_csv_rows(content))
    raise BadRequest(f"unsupported file type {suffix}: use .csv or .xlsx",
                     {"file": ["must be .csv or .xlsx"]})


def read(content, filename, columns):
    """Rows as dicts; the header must name every column in `columns`."""
    table = rows(content, filename)
    if not table:
        raise BadRequest("the file is empty", {"file": ["no header row"]})
    header = table[0][1]
    missing = [c for c in columns if c not in header]
    if missing:
        raise BadRequest("the header lacks required columns",
                         {"header": [f"missing column {c}" for c in missing]})
    return [(number, dict(zip(header, values))) for number, values in table[1:]
            if any(v.strip() for v in values)]


def _csv_rows(content):
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0  # rows as a spreadsheet counts them (a quoted line break stays in its cell)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, [v.strip() for v in values]
    except csv.Error as error:
        raise BadRequest(f"the CSV file cannot be read at row {number + 1}: {error}",
                         {"file": [f"row {number + 1}: {error}"]}) from None


def _decode(content):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadRequest("the CSV file is neither UTF-8 nor GBK text",
                     {"file": ["save it as CSV (UTF-8) or CSV from Excel"]})


def _xlsx_rows(content):
    from openpyxl import load_workbook
    try:  # openpyxl reads a read-only workbook lazily: a broken sheet fails while iterating
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    except BadRequest:
        raise
    except Exception as error:
        raise BadRequest(f"not a readable XLSX file: {error}", {"file": ["not an XLSX workbook"]}) from None


def _cell_text(value):
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):  # a datetime: a date cell, or a time
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
