"""The school survey ledger: strict files, hashed pupils, the white-list check."""
import io

import pytest
from openpyxl import Workbook

from services.tasks import surveys
from shared.creditcode import complete
from shared.errors import BadRequest

KEY = "test-pupil-key"
HEADER = "pupil_id,pupil_name,grade,class,institution_name,credit_code,course\n"
LISTED = complete("91371002MA3C00001")
BLACK = complete("91371002MA3C00002")


def csv(*rows):
    return (HEADER + "".join(row + "\n" for row in rows)).encode("utf-8")


def refusal(content, filename="ledger.csv"):
    with pytest.raises(BadRequest) as refused:
        surveys.parse(content, filename, KEY)
    return refused.value


def test_pupils_become_keyed_hashes_and_names_are_dropped():
    [entry] = surveys.parse(csv("G2024001,张小明,三年级,2班,海星艺术,,钢琴"), "l.csv", KEY)
    assert entry.pupil_hash == surveys.pupil_hash(KEY, "g2024001")
    assert entry.pupil_hash != surveys.pupil_hash("another-key", "G2024001")
    assert "张小明" not in repr(entry) and "G2024001" not in repr(entry)


def test_bad_credit_code_is_refused_naming_row_and_field():
    error = refusal(csv("P1,甲,三年级,1班,海星艺术,,钢琴", f"P2,乙,四年级,1班,蓝天,{LISTED[:17]}0,英语"))
    assert str(error).startswith("row 3, credit_code: check digit should be")
    assert list(error.fields) == ["row 3"]


def test_enrolment_without_institution_and_missing_pupil_id_are_refused():
    error = refusal(csv(",甲,三年级,1班,海星艺术,,钢琴", "P2,乙,四年级,1班,,,英语"))
    assert error.fields["row 2"] == {"pupil_id": ["is required"]}
    assert "institution_name" in error.fields["row 3"]


def test_header_must_be_exactly_the_agreed_columns():
    error = refusal("pupil_id,pupil_name,grade,class,institution_name,course,phone\nP1,x,1,1,a,b,c\n"
                    .encode())
    assert str(error).startswith("row 1 (header): missing column credit_code")
    assert "unexpected column phone" in error.fields["row 1"]["header"]


def test_same_enrolment_twice_is_refused():
    error = refusal(csv("P1,甲,三年级,1班,海星艺术,,钢琴", "P1,甲,三年级,1班,海星 艺术,,钢琴"))
    assert error.fields["row 3"] == {"pupil_id": ["the same enrolment as row 2"]}


def test_pupil_without_any_enrolment_is_surveyed_but_not_enrolled():
    entries = surveys.parse(csv("P1,甲,三年级,1班,,,"), "l.csv", KEY)
    counts, unlisted, _ = surveys.check(entries, lambda code, name: None)
    assert counts == {"enrolment_count": 0, "pupil_count": 1, "unlisted_count": 0}
    assert unlisted == []


def test_xlsx_ledger_reads_like_csv():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["P1", "甲", "三年级", "1班", "海星艺术", None, "钢琴"])
    buffer = io.BytesIO()
    book.save(buffer)
    [entry] = surveys.parse(buffer.getvalue(), "ledger.xlsx", KEY)
    assert (entry.institution_name, entry.course) == ("海星艺术", "钢琴")


def lookup(code, name):
    known = {LISTED: {"id": "i-1", "name": "海星艺术", "credit_code": LISTED, "district": "371002", "white": True},
             BLACK: {"id": "i-2", "name": "黑马培训", "credit_code": BLACK, "district": "371003", "white": False}}
    if code in known:
        return known[code]
    return next((i for i in known.values() if i["name"] == name), None)


def test_enrolments_are_checked_against_the_white_list_and_counted_per_institution():
    entries = surveys.parse(csv(
        "P1,甲,三年级,1班,海星艺术,,钢琴",
        f"P2,乙,三年级,1班,,{BLACK},奥数",
        "P3,丙,三年级,2班,蓝天英语,,英语",
        "P4,丁,四年级,1班,蓝天 英语,,口语",
        "P4,丁,四年级,1班,蓝天英语,,阅读"), "l.csv", KEY)
    counts, unlisted, verdicts = surveys.check(entries, lookup)
    assert counts == {"enrolment_count": 5, "pupil_count": 4, "unlisted_count": 4}
    assert [(g["institution_name"], g["pupil_count"], g["reason"], g["district"]) for g in unlisted] == [
        ("黑马培训", 1, "not_white_listed", "371003"), ("蓝天英语", 2, "not_registered", None)]
    assert verdicts[2] == ("i-1", True)
