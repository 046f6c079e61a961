"""Turning read models into what people read: Chinese labels, HTML pages
(Jinja2, autoescaped), QR codes (segno, inline SVG), CSV with a BOM, Atom."""
import csv
import io
from functools import lru_cache
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.wrappers import Response

from shared.vocabulary import DISTRICTS, LOCAL_DISTRICTS

TEMPLATES = Path(__file__).parent / "templates"
HTML = "text/html; charset=utf-8"
# Pages load nothing from elsewhere: inline CSS and inline SVG only.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
LABELS = {
    "category": {"academic": "学科类", "arts": "文化艺术类", "sports": "体育类", "science": "科技类"},
    "department": {"education": "教育部门", "culture_tourism": "文化和旅游部门", "sports": "体育部门",
                   "market_regulation": "市场监管部门", "public_security": "公安部门",
                   "fire": "消防救援部门"},
    "severity": {"minor": "一般", "major": "较大", "critical": "重大"},
    "finding": {"fire_safety": "消防安全", "premises": "场所设施", "unlicensed": "无证办学",
                "disguised_academic": "隐形变异学科类培训", "prepaid_fee": "预收费",
                "advertising": "违规广告", "art_exam": "艺考培训", "other": "其他",
                "safety_hazard": "安全隐患", "not_white_listed": "未列入白名单仍培训"},
    "status": {"open": "正常经营", "suspended": "停业整改中", "closed": "已关停"},
    "list": {"white": "白名单", "black": "黑名单", "none": "未列入名单"},
    "kind": {"hazard_suspension": "安全隐患", "blacklisted": "列入黑名单",
             "unlicensed": "无证办学", "violation": "违规行为", "complaint": "举报核查属实"},
    "action": {"suspended": "责令立即停业整改", "blacklisted": "列入黑名单",
               "ordered_to_stop": "责令停止无证办学，依法查处",
               "ordered_to_rectify": "责令限期整改，依法查处"},
    "outcome": {"reinstated": "整改验收合格，恢复经营", "blacklisted": "经复核列入黑名单",
                "cleared": "经复核未列入黑名单", "closed": "机构已关停"},
    "inspection_kind": {"self": "机构自查", "safety": "专项安全检查", "enforcement": "执法检查"},
    "mode": {"unannounced": "不打招呼暗访", "day": "日间检查", "night": "夜间检查",
             "joint": "联合检查", "random_sample": "随机抽查"},
    "history": {"exposed": "公开发布", "outcome": "处理结果更新", "corrected": "更正",
                "withdrawn": "撤回"},
    "district": DISTRICTS,
}
# Fixed reasons the registry writes in English, shown in Chinese.
KNOWN_REASONS = {"operating without the required licences": "无证办学"}


def label(value, kind):
    if value is None or value == "":
        return "—"
    return LABELS.get(kind, {}).get(value, value)


def reason_text(text):
    return KNOWN_REASONS.get(text, text) if text else "—"


def finding_text(case):
    """What was found, in one sentence (a correction replaces it)."""
    if case.get("summary"):
        return case["summary"]
    finding = case["finding"]
    if case["kind"] == "unlicensed":
        return "该机构未取得办学许可等必要证照，擅自开展校外培训。"
    if case["kind"] == "complaint":
        return f"群众举报的{label(finding.get('category'), 'finding')}问题，经主管部门核查属实。"
    if finding.get("description"):  # what the inspector found, not the checklist's rule
        return (f"{label(finding.get('department'), 'department')}检查发现"
                f"{label(finding.get('severity'), 'severity')}{label(finding.get('category'), 'finding')}"
                f"问题：{finding['description'].rstrip('。.')}。")
    if finding.get("severity") or finding.get("item"):  # no description: name the item checked
        what = finding.get("item_title") or finding.get("item") or "—"
        return (f"{label(finding.get('department'), 'department')}检查发现"
                f"{label(finding.get('severity'), 'severity')}"
                f"{label(finding.get('category'), 'finding')}问题（涉及检查项：{what}）。")
    return "经主管部门审查，认定存在违规行为。"


def decision_text(case):
    if case.get("decision_text"):
        return case["decision_text"]
    decision = case["decision"]
    if decision.get("text"):  # a publisher's own words
        return decision["text"]
    text = label(decision.get("action"), "action")
    if decision.get("reason"):
        text += f"（{reason_text(decision['reason'])}）"
    return text


def day(value):
    return (value or "")[:10] or "—"


def qr_svg(url):
    return segno.make(url, error="m").svg_inline(scale=4, border=2)


@lru_cache(maxsize=1)
def environment():
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(
        ("html", "xml")), trim_blocks=True, lstrip_blocks=True)
    env.filters.update(label=label, day=day, reason=reason_text)
    env.globals.update(finding_text=finding_text, decision_text=decision_text,
                       districts=[(code, DISTRICTS[code]) for code in LOCAL_DISTRICTS],
                       district_names=DISTRICTS)
    return env


def page(template, status=200, **context):
    body = environment().get_template(template).render(**context)
    return Response(body, status=status, content_type=HTML, headers=SECURITY_HEADERS)


def atom(base_url, entries, updated):
    body = environment().get_template("feed_atom.html").render(
        base=base_url.rstrip("/"), entries=entries, updated=updated)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


LIST_COLUMNS = [("batch_no", "批次"), ("published_on", "发布日期"), ("district", "区市"),
                ("name", "机构名称"), ("licence_number", "办学许可证号"),
                ("credit_code", "统一社会信用代码"), ("address", "地址"), ("category", "类别")]
BLACK_COLUMNS = [("reason", "列入原因"), ("date", "列入日期"), ("outcome", "处理结果")]
# What holds today, beside what the batch said (the batch's own columns stay as published).
STANDING_COLUMNS = [("standing", "当前状态"), ("standing_since", "状态日期"),
                    ("standing_reason", "状态原因"), ("choice", "目前可否报名")]


def list_csv(list_name, batches):
    """UTF-8 with a BOM, so that Excel shows the Chinese text correctly."""
    columns = LIST_COLUMNS + (BLACK_COLUMNS if list_name == "black" else []) + STANDING_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _, title in columns])
    for batch in batches:
        for entry in batch["entries"]:
            row = {**entry, "batch_no": batch["batch_no"], "published_on": batch["published_on"],
                   "district": DISTRICTS.get(batch["district"], batch["district"]),
                   "category": label(entry.get("category"), "category"),
                   "reason": reason_text(entry.get("reason")),
                   "outcome": label(entry.get("outcome"), "outcome"), **_standing_cells(entry, list_name)}
            writer.writerow([_cell(row.get(key)) for key, _ in columns])
    name = f"{list_name}-list.csv"
    return Response("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _standing_cells(entry, list_name):
    now = entry.get("standing") or {}
    return {"standing": now.get("label"), "standing_since": now.get("since"),
            "standing_reason": now.get("reason"),
            "choice": "可以" if list_name == "white" and entry.get("choosable", True) else "不可"}


def _cell(value):
    """Text for a spreadsheet cell; a leading =, +, - or @ would run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
