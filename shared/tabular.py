"""Reading the tables bureaus and schools keep: CSV (UTF-8, with or without BOM)
or XLSX, first row the header. Yields (row number, {column: text})."""
import csv
import io
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
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("the CSV file is not UTF-8", {"file": ["save it as UTF-8 CSV"]}) from None
    for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
        yield number, [v.strip() for v in values]


def _xlsx_rows(content):
    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:
        raise BadRequest(f"not a readable XLSX file: {error}", {"file": ["not an XLSX workbook"]}) from None
    sheet = book.worksheets[0]
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [_cell_text(v) for v in values]


def _cell_text(value):
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
