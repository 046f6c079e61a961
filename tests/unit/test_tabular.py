"""Reading uploaded tables: the encodings and damage real files come with."""
import io

import pytest
from openpyxl import Workbook

from shared import tabular
from shared.errors import BadRequest

COLUMNS = ("name", "district")


def test_csv_saved_by_a_chinese_excel_is_read_as_gbk():
    content = "name,district\n海星艺术培训学校,371002\n".encode("gbk")
    assert tabular.read(content, "list.csv", COLUMNS) == [(2, {"name": "海星艺术培训学校", "district": "371002"})]


def test_rows_are_numbered_as_a_spreadsheet_shows_them():
    content = 'name,district\n"海星\n培训",371002\n鲸鱼,371003\n'.encode()
    assert [number for number, _ in tabular.read(content, "list.csv", COLUMNS)] == [2, 3]


@pytest.mark.parametrize("content, filename, message", [
    (b'name,district\n"' + b"x" * 200_000 + b'",371002\n', "list.csv", "row 2"),
    (b"\xff\xfe\x00\x81\x30\x00\xff", "list.csv", "neither UTF-8 nor GBK"),
    (b"PK\x03\x04 not really a workbook", "list.xlsx", "not a readable XLSX"),
    (b"", "list.csv", "empty"),
    (b"name\n", "list.csv", "lacks required columns"),
    (b"a,b", "list.ods", "unsupported file type"),
])
def test_a_damaged_file_is_a_clear_400(content, filename, message):
    with pytest.raises(BadRequest, match=message):
        tabular.read(content, filename, COLUMNS)


def test_xlsx_dates_and_whole_numbers_are_text_as_a_person_typed_them():
    from datetime import datetime
    book = Workbook()
    book.active.append(["name", "district", "valid_until", "patrolled_at"])
    book.active.append(["鲸鱼", 371003.0, datetime(2025, 6, 30), datetime(2024, 1, 19, 20, 30)])
    buffer = io.BytesIO()
    book.save(buffer)
    [(_, row)] = tabular.read(buffer.getvalue(), "list.xlsx", COLUMNS)
    assert row == {"name": "鲸鱼", "district": "371003", "valid_until": "2025-06-30",
                   "patrolled_at": "2024-01-19 20:30:00"}  # a patrol log keeps its times
