"""Bulk import of the lists bureaus keep: all rows or none, errors named by row."""
from click.testing import CliRunner
from openpyxl import Workbook

from services.registry.cli import commands
from services.registry.service import RegistryService
from shared.creditcode import complete

HEADER = "机构名称,统一社会信用代码,区市,类别,地址,办学许可证编号,办学许可证有效期至,营业执照编号,营业执照有效期至"


def row(n, district="环翠区", code=None):
    code = code or complete(f"91371002MA3D{n:05d}")
    return f"学校{n},{code},{district},艺术类,海滨路{n}号,P{n},2030-12-31,B{n},2030-12-31"


def run_import(path):
    return CliRunner().invoke(commands, ["import", str(path)], catch_exceptions=False)


def test_csv_import_registers_every_row(start_service, token, tmp_path):
    api = start_service(RegistryService)
    path = tmp_path / "list.csv"
    path.write_text("\n".join([HEADER] + [row(n) for n in range(25)]), encoding="utf-8-sig")
    result = run_import(path)
    assert result.exit_code == 0, result.output
    assert "imported 25 institutions" in result.output
    white = api.get("/lists/white?district=371002", token()).json()["institutions"]
    assert len(white) == 25


def test_one_bad_row_refuses_the_whole_file_and_names_the_row(start_service, tmp_path):
    api = start_service(RegistryService)
    path = tmp_path / "list.csv"
    path.write_text("\n".join([HEADER, row(1), row(2, district="火星区"), row(3)]))
    result = run_import(path)
    assert result.exit_code == 2
    assert "row 3" in result.output and "district" in result.output
    assert api.get("/health").json()["events"] == 0


def test_xlsx_import_and_a_duplicate_is_refused_without_partial_writes(start_service, tmp_path):
    api = start_service(RegistryService)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for n in (1, 2):
        sheet.append(row(n).split(","))
    path = tmp_path / "list.xlsx"
    book.save(path)
    assert run_import(path).exit_code == 0
    events_after_first = api.get("/health").json()["events"]
    sheet.append(row(3).split(","))
    book.save(path)
    again = run_import(path)  # rows 2 and 3 are registered already
    assert again.exit_code == 2 and "already registered" in again.output and "row 2" in again.output
    assert api.get("/health").json()["events"] == events_after_first


def test_a_file_with_only_its_header_is_refused_with_a_message(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(HEADER + "\n", encoding="gbk")  # as a Chinese Excel saves it
    result = run_import(path)
    assert result.exit_code == 2 and "no institutions below the header row" in result.output
