"""What people read: CSV for Excel, labels in Chinese, QR codes, error pages."""
import csv
import io

from services.disclosure import render

BATCH = {"district": "371002", "list": "black", "batch_no": 3, "published_on": "2024-01-24",
         "entries": [{"name": "=HYPERLINK(\"x\")", "licence_number": None, "credit_code": "C",
                      "address": "环翠区", "category": "arts", "reason": "operating without the required licences",
                      "date": "2024-01-20", "outcome": "blacklisted"}]}


def test_csv_starts_with_a_bom_and_has_chinese_headers():
    body = render.list_csv("black", [BATCH]).get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][3] == "机构名称" and rows[1][2] == "环翠区" and rows[1][7] == "文化艺术类"
    assert rows[1][8:11] == ["无证办学", "2024-01-20", "经复核列入黑名单"]


def test_white_list_csv_keeps_the_batch_and_says_who_is_no_choice_today():
    suspended = {"state": "suspended", "label": "停业整改中", "since": "2024-01-21",
                 "reason": "检查发现安全隐患，责令停业整改", "choosable": False}
    batch = {"district": "371002", "list": "white", "batch_no": 1, "published_on": "2024-01-20",
             "entries": [{"name": "海星艺术培训学校", "category": "arts", "standing": suspended,
                          "choosable": False}]}
    rows = list(csv.reader(io.StringIO(render.list_csv("white", [batch]).get_data(as_text=True)[1:])))
    assert rows[0][-4:] == ["当前状态", "状态日期", "状态原因", "目前可否报名"]
    assert rows[1][0] == "1" and rows[1][3] == "海星艺术培训学校"
    assert rows[1][-4:] == ["停业整改中", "2024-01-21", "检查发现安全隐患，责令停业整改", "不可"]


def test_csv_cell_cannot_run_as_a_spreadsheet_formula():
    rows = list(csv.reader(io.StringIO(render.list_csv("black", [BATCH]).get_data(as_text=True))))
    assert rows[1][3].startswith("'=")


def test_unknown_checklist_item_is_named_as_an_item_not_left_bare():
    case = {"kind": "hazard_suspension", "finding": {"department": "fire", "severity": "critical",
                                                     "category": "fire_safety", "item": "fire.evacuation"}}
    assert render.finding_text(case) == "消防救援部门检查发现重大消防安全问题（涉及检查项：fire.evacuation）。"
    case["finding"]["item_title"] = "安全出口保持畅通"
    assert render.finding_text(case).endswith("问题（涉及检查项：安全出口保持畅通）。")


def test_case_states_what_the_inspector_found_not_the_checklist_rule():
    case = {"kind": "hazard_suspension", "finding": {
        "department": "fire", "severity": "critical", "category": "fire_safety",
        "item_title": "安全出口符合基本条件且保持畅通", "description": "二楼安全出口被铁链锁闭"}}
    text = render.finding_text(case)
    assert text == "消防救援部门检查发现重大消防安全问题：二楼安全出口被铁链锁闭。"
    assert "保持畅通" not in text


def test_correction_replaces_the_generated_text():
    case = {"kind": "unlicensed", "finding": {}, "decision": {"action": "ordered_to_stop"},
            "summary": "更正后的描述", "decision_text": None}
    assert render.finding_text(case) == "更正后的描述"
    assert render.decision_text(case) == "责令停止无证办学，依法查处"


def test_qr_code_is_inline_svg():
    svg = render.qr_svg("http://127.0.0.1:8005/report?district=371002")
    assert svg.startswith("<svg") and "http" not in svg


def test_pages_escape_what_they_show():
    html = render.page("error.html", 404, title="<script>", message="x").get_data(as_text=True)
    assert "<script>" not in html.split("<body>")[1] and "&lt;script&gt;" in html
