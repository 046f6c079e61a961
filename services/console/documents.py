"""Printable documents of an inspection: 责令整改通知书 (rectification notice) and
现场检查笔录 (on-site inspection record), numbered, frozen when issued, as HTML and PDF.

What the console calls (everything it passes is what the services' APIs answered):

    from services.console import documents
    Store(catalogue, tables=(documents.metadata, …))   # the table lives in the console's database
    document = documents.issue(kind, inspection, order, officers, store, issuer,
                               checklists=())
    documents.pdf(document)          -> bytes (A4, Noto Sans CJK embedded)
    document.html                    -> the print-ready HTML (str), document.number, …
    documents.preview(kind, inspection, order, officers, issuer, checklists=()) -> HTML, unnumbered
    documents.find(store, number)    -> Document or None
    documents.of_inspection(store, inspection_id) -> [Document]

- kind: "rectification_notice" or "inspection_record" (KINDS).
- inspection: the inspection service's `GET /inspections/{id}` answer; it must be completed.
- order: `GET /rectifications/{id}` of that inspection's order (required for a notice).
- officers: [{"officer_id", "name", "certificate"}] (other keys ignored) — for a record, the
  officers the inspection names as present (its `officer_ids`, when it names any); the record
  of an enforcement check needs two with certificate numbers. Names are printed, never sent.
- store: the console's `shared.store.EventStore` (or the `StoreHandle` a worker gets).
- issuer: the signed-in officer's `shared.auth.Actor`; its department issues the document.
- checklists: the inspection service's `GET /checklists` answer, for the items' titles.

Issuing renders the versioned template and stores the HTML, the PDF and the data they were
made from under the next number of the issuing department, district and year (Beijing
time), e.g. 环教整改〔2024〕第0001号. The same kind for the same inspection is issued once:
issuing again returns the stored document, byte for byte. Bad input raises
`shared.errors.BadRequest` (field errors), another district or an unassigned department
`Forbidden` — show them as a service's 400 / 403. docs/decisions/0006-printable-documents.md.
"""
import json
from dataclasses import dataclass, fields as dataclass_fields
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import (Column, Integer, LargeBinary, MetaData, String, Table, Text,
                        UniqueConstraint, func, insert, select, update)

from shared import auth
from shared.clock import BEIJING
from shared.errors import BadRequest, Forbidden
from shared.vocabulary import (DISTRICTS, INSPECTION_KIND_NAMES as INSPECTION_KINDS,
                               SEVERITY_NAMES as SEVERITIES)
from shared.web import load

# kind -> (template, word in the number); a changed wording is a new template version
KINDS = {"rectification_notice": ("rectification_notice.v1.html", "整改"),
         "inspection_record": ("inspection_record.v1.html", "检查")}
TITLES = {"rectification_notice": "责令整改通知书", "inspection_record": "现场检查笔录"}
DEPARTMENTS = {  # (issuing authority, its short form in document numbers)
    "education": ("教育局", "教"), "culture_tourism": ("文化和旅游局", "文旅"),
    "sports": ("体育局", "体"), "market_regulation": ("市场监督管理局", "市监"),
    "public_security": ("公安局", "公"), "fire": ("消防救援大队", "消")}
DISTRICT_SHORT = {"371000": "威", "371002": "环", "371003": "文", "371082": "荣", "371083": "乳",
                  "371071": "高", "371072": "经", "371073": "临", "371074": "南"}
MODES = {"unannounced": "不打招呼", "day": "日间", "night": "夜间", "joint": "联合",
         "random_sample": "随机抽查"}

metadata = MetaData()
documents_table = Table(
    "documents", metadata,
    Column("number", String(60), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("inspection_id", String(64), nullable=False),
    Column("order_id", String(64)),
    Column("district", String(6), nullable=False),
    Column("department", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("serial", Integer, nullable=False),
    Column("template", String(80), nullable=False),
    Column("data", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("pdf", LargeBinary),
    Column("issued_at", String(40), nullable=False),
    Column("issued_by", String(64)),
    UniqueConstraint("kind", "inspection_id", name="uq_document_per_inspection"),
    UniqueConstraint("kind", "district", "department", "year", "serial", name="uq_document_serial"),
)
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates" / "documents"),
    autoescape=select_autoescape(default=True), undefined=StrictUndefined)


@dataclass(frozen=True)
class Document:
    number: str
    kind: str
    inspection_id: str
    order_id: str | None
    district: str
    department: str
    year: int
    serial: int
    template: str
    data: dict
    html: str
    pdf: bytes | None
    issued_at: str
    issued_by: str | None


def _officer_id(value):
    if not auth.is_officer_id(value):
        raise ValidationError("an officer account id, never a name")


class OfficerIn(Schema):
    class Meta:
        unknown = EXCLUDE  # the console may pass its whole account record

    officer_id = fields.Str(required=True, validate=_officer_id)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=40))
    certificate = fields.Str(load_default=None, allow_none=True, validate=validate.Regexp(
        auth.CERTIFICATE, error="a certificate number (执法证号): 4-40 letters, digits or 汉字"))


class IssueIn(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(KINDS))
    officers = fields.List(fields.Nested(OfficerIn), load_default=list,
                           validate=validate.Length(max=20))


# -- the interface ------------------------------------------------------------
def issue(kind, inspection, order, officers, store, issuer, checklists=()):
    """The document of this kind for this inspection: issued now, or as issued before."""
    store = getattr(store, "store", store)  # a worker's StoreHandle, or the EventStore
    body = load(IssueIn, {"kind": kind, "officers": list(officers or [])})
    _check(body["kind"], inspection, order, body["officers"], issuer)
    with store.writing() as conn:
        existing = _select(conn, kind=kind, inspection_id=inspection["id"])
        if existing:
            return existing[0]
        facts = _facts(kind, inspection, order, body["officers"], issuer, checklists)
        document = _number_and_render(conn, store, kind, facts, issuer)
        conn.execute(insert(documents_table).values(_row(document)))
    return _with_pdf(store, document)


def preview(kind, inspection, order, officers, issuer, checklists=(), today=None):
    """The HTML the document would have, unnumbered (待编号) and not stored."""
    body = load(IssueIn, {"kind": kind, "officers": list(officers or [])})
    _check(body["kind"], inspection, order, body["officers"], issuer)
    facts = _facts(kind, inspection, order, body["officers"], issuer, checklists)
    return _render(kind, facts, "（待编号）", today or datetime.now(BEIJING))[1]


def pdf(document):
    """The document as PDF: the bytes stored when it was issued."""
    return document.pdf if document.pdf is not None else render_pdf(document.html)


def find(store, number):
    store = getattr(store, "store", store)
    with store.read() as conn:
        found = _select(conn, number=number)
    return found[0] if found else None


def of_inspection(store, inspection_id):
    store = getattr(store, "store", store)
    with store.read() as conn:
        return _select(conn, inspection_id=inspection_id)


def render_pdf(html):
    from weasyprint import HTML  # needs Pango (libpango-1.0-0): imported only when printing
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf()


# -- rules --------------------------------------------------------------------
def _check(kind, inspection, order, officers, issuer):
    issuer.require_district(inspection["district"])
    if issuer.department not in inspection["departments"]:
        raise Forbidden(f"only an assigned department ({', '.join(inspection['departments'])}) "
                        "issues this inspection's documents")
    if inspection.get("status") != "completed":
        raise BadRequest("the inspection is not completed",
                         {"inspection": ["complete the inspection first"]})
    if kind == "rectification_notice":
        _check_order(inspection, order)
    else:
        _check_officers(inspection, officers)


def _check_order(inspection, order):
    if not order or order.get("inspection_id") != inspection["id"]:
        raise BadRequest("a notice needs the inspection's rectification order",
                         {"order": ["the rectification order of this inspection is required"]})


def _check_officers(inspection, officers):
    present = inspection.get("officer_ids") or []
    if present and sorted(o["officer_id"] for o in officers) != sorted(present):
        raise BadRequest("the record names the officers the inspection names as present",
                         {"officers": [f"the officers present were {', '.join(present)}"]})
    certified = {o["officer_id"] for o in officers if o["certificate"]}
    if inspection["kind"] == "enforcement" and len(certified) < 2:
        raise BadRequest("an enforcement check is recorded by two officers with certificates",
                         {"officers": ["name at least two officers present, each with a "
                                       "certificate number (执法证号)"]})
    if not officers:
        raise BadRequest("name the officers present", {"officers": ["name at least one officer"]})


# -- making the document ----------------------------------------------------------
def _facts(kind, inspection, order, officers, issuer, checklists):
    """Everything the document shows, as plain data: stored with it, frozen."""
    titles = {item["id"]: item.get("title") or item["id"]
              for checklist in checklists for item in checklist.get("items", [])}
    district = inspection["district"]
    place = DISTRICTS["371000"] + ("" if district == "371000" else DISTRICTS[district])
    facts = {
        "kind": kind, "title": TITLES[kind], "district": district,
        "authority": place + DEPARTMENTS[issuer.department][0],
        "site": {"name": inspection.get("site_name") or "",
                 "address": inspection.get("site_address") or "",
                 "institution_id": inspection.get("institution_id")},
        "inspection": _visit(inspection),
        "findings": [_finding(f, titles) for f in inspection.get("findings", [])],
        "officers": [{"name": o["name"], "certificate": o["certificate"] or "",
                      "officer_id": o["officer_id"]} for o in officers],
    }
    if order:
        facts["order"] = {"id": order["order_id"], "deadline": _chinese_date(order["deadline"]),
                          "items": [titles.get(i, i) for i in order["items"]]}
    return facts


def _visit(inspection):
    return {"id": inspection["id"],
            "kind": INSPECTION_KINDS.get(inspection["kind"], inspection["kind"]),
            "modes": [MODES.get(m, m) for m in inspection.get("modes", [])],
            "started": _local(inspection.get("scheduled_at")),
            "ended": _local(inspection.get("completed_at"))}


def _finding(finding, titles):
    return {"item": titles.get(finding["item"], finding["item"]),
            "severity": SEVERITIES.get(finding["severity"], finding["severity"]),
            "description": finding.get("description") or ""}


def _number_and_render(conn, store, kind, facts, issuer):
    now = store.clock.now().astimezone(BEIJING)
    district, department = facts["district"], issuer.department
    table = documents_table
    serial = 1 + (conn.execute(select(func.max(table.c.serial)).where(
        table.c.kind == kind, table.c.district == district, table.c.department == department,
        table.c.year == now.year)).scalar() or 0)
    prefix = DISTRICT_SHORT[district] + DEPARTMENTS[department][1] + KINDS[kind][1]
    number = f"{prefix}〔{now.year}〕第{serial:04d}号"
    data, html = _render(kind, facts, number, now)
    return Document(number, kind, facts["inspection"]["id"], (facts.get("order") or {}).get("id"),
                    district, department, now.year, serial, KINDS[kind][0], data, html, None,
                    now.isoformat(timespec="seconds"), issuer.officer)


def _render(kind, facts, number, day):
    """(the data shown, the HTML) of the kind's current template."""
    data = {**facts, "number": number, "issued_on": f"{day.year}年{day.month}月{day.day}日"}
    return data, _templates.get_template(KINDS[kind][0]).render(**data)


def _with_pdf(store, document):
    """Render the PDF outside the numbering transaction; the first one stored stays."""
    printed = render_pdf(document.html)
    with store.writing() as conn:
        conn.execute(update(documents_table).where(
            documents_table.c.number == document.number, documents_table.c.pdf.is_(None))
            .values(pdf=printed))
        return _select(conn, number=document.number)[0]


# -- storage ----------------------------------------------------------------------
def _row(document):
    row = {f.name: getattr(document, f.name) for f in dataclass_fields(Document)}
    return {**row, "data": json.dumps(document.data, ensure_ascii=False, sort_keys=True)}


def _select(conn, **where):
    query = select(documents_table).order_by(documents_table.c.issued_at, documents_table.c.number)
    for column, value in where.items():
        query = query.where(documents_table.c[column] == value)
    return [Document(**{**row._asdict(), "data": json.loads(row.data)})
            for row in conn.execute(query)]


def _local(instant):
    """`2024-01-20T01:00:00Z` -> `2024年1月20日 09:00` (Beijing time)."""
    if not instant:
        return ""
    moment = datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(BEIJING)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def _chinese_date(iso_date):
    year, month, day = (int(part) for part in iso_date.split("-"))
    return f"{year}年{month}月{day}日"


def _no_fetching(url, *args, **kwargs):
    """Documents load nothing from elsewhere: a URL in the data cannot reach a file or host."""
    raise ValueError(f"documents fetch no resources ({url[:60]})")
