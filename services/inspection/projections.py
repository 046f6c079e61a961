"""Inspection read models (inspections, findings, rectification orders, samples);
the institutions are the registry's, in shared.directory."""
import json
from collections import Counter
from datetime import datetime, time, timezone

from sqlalchemy import (Boolean, Column, Integer, MetaData, String, Table, Text, bindparam, delete,
                        func, insert, or_, select, update)

from shared import directory
from shared.clock import BEIJING
from shared.projections import Projection, handles
from shared.redact import mask

metadata = MetaData()
inspections = Table(
    "inspections", metadata,
    Column("id", String(36), primary_key=True),
    Column("institution_id", String(36), index=True),
    Column("district", String(6), nullable=False, index=True),
    Column("kind", String(12), nullable=False),
    Column("modes", Text, nullable=False),
    Column("departments", Text, nullable=False),
    Column("focus", Text, nullable=False),
    Column("source", String(64), index=True),
    Column("source_type", String(20)),
    Column("site_name", String(200)),
    Column("site_address", String(300)),
    Column("sample_id", String(36)),
    Column("scheduled_for", String(10)),
    Column("status", String(12), nullable=False),
    Column("scheduled_at", String(40), nullable=False),
    Column("completed_at", String(40)),
    Column("outcome", String(20)),
    Column("max_severity", String(10)),
    Column("answers", Text),
    Column("officer_ids", Text, nullable=False, default="[]"),
)
findings = Table(
    "findings", metadata,
    Column("finding_id", String(36), primary_key=True),
    Column("inspection_id", String(36), nullable=False, index=True),
    Column("item", String(60), nullable=False),
    Column("checklist", String(60), nullable=False),
    Column("category", String(20), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("suspend_immediately", Boolean, nullable=False),
    Column("department", String(30), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("hazard", Boolean, nullable=False, default=False),
    Column("recorded_at", String(40), nullable=False),
)
patrol_logs = Table(
    "patrol_logs", metadata,
    Column("inspection_id", String(36), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("period_from", String(10), nullable=False),
    Column("period_to", String(10), nullable=False),
    Column("opening_hours", String(11), nullable=False),
    Column("patrols", Integer, nullable=False),
    Column("gaps", Integer, nullable=False),
)
orders = Table(
    "rectification_orders", metadata,
    Column("order_id", String(36), primary_key=True),
    Column("institution_id", String(36), nullable=False, index=True),
    Column("district", String(6), nullable=False, index=True),
    Column("items", Text, nullable=False),
    Column("deadline", String(10), nullable=False),
    Column("carry_over", Boolean, nullable=False),
    Column("campaign", String(100)),
    Column("inspection_id", String(36)),
    Column("status", String(10), nullable=False),
    Column("overdue", Boolean, nullable=False, default=False),
    Column("failures", Integer, nullable=False, default=0),
    Column("ordered_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)
samples = Table(
    "samples", metadata,
    Column("sample_id", String(36), primary_key=True),
    Column("district", String(6), nullable=False),
    Column("drawn_at", String(40), nullable=False),
    Column("data", Text, nullable=False),
)

# Tables our own log cannot rebuild (the Store's `tables`, with shared.directory's):
# the findings' notes and the officers' certificates.
own_tables = MetaData()
# What an inspector wrote about a finding: free text may name people, so it stays
# here and never travels in an event.
finding_notes = Table(
    "finding_notes", own_tables,
    Column("finding_id", String(36), primary_key=True),
    Column("description", Text, nullable=False),
)
# The enforcement certificate numbers (执法证号) of the officers named on a check:
# events carry only the officers' ids.
officer_certificates = Table(
    "officer_certificates", own_tables,
    Column("inspection_id", String(36), primary_key=True),
    Column("officer_id", String(64), primary_key=True),
    Column("certificate", String(40)),
)


_INSERT_NOTE = insert(finding_notes)


def save_notes(conn, notes):
    if notes:
        conn.execute(_INSERT_NOTE, [{"finding_id": finding_id, "description": text}
                                             for finding_id, text in notes.items()])
        notes.clear()


def save_certificates(conn, inspection_id, certificates):
    """The officers now named on the inspection (those present replace those scheduled)."""
    table = officer_certificates
    conn.execute(delete(table).where(table.c.inspection_id == inspection_id))
    if certificates:
        conn.execute(insert(table), [{"inspection_id": inspection_id, "officer_id": officer,
                                      "certificate": number}
                                     for officer, number in certificates.items()])


def officers_named(conn, inspection_id, with_certificates=True):
    """[{officer_id, certificate}] of the officers named on the inspection (those
    present once it is completed); without certificates, [{officer_id}]."""
    table = officer_certificates
    rows = conn.execute(select(table.c.officer_id, table.c.certificate)
                        .where(table.c.inspection_id == inspection_id))
    named = {row.officer_id: row.certificate for row in rows}
    view = conn.execute(select(inspections.c.officer_ids)
                        .where(inspections.c.id == inspection_id)).scalar()
    return [{"officer_id": officer, "certificate": named.get(officer)} if with_certificates
            else {"officer_id": officer} for officer in json.loads(view or "[]")]



# Built once, executed with parameters: SQLAlchemy then compiles each once, and a
# rebuild sends them in batches (shared.projections.WriteBehind).
_INSERT = {table: insert(table) for table in (inspections, findings, patrol_logs, orders, samples)}
_UPDATE = {table: update(table).where(key == bindparam("_key")) for table, key in (
    (inspections, inspections.c.id), (findings, findings.c.finding_id),
    (orders, orders.c.order_id))}
_ORDER_FAILED = _UPDATE[orders].values(failures=orders.c.failures + 1)


class InspectionViews(Projection):
    NAME = "inspection"
    VERSION = 3  # v3: officer_ids
    metadata = metadata

    @handles("InspectionScheduled")
    def scheduled(self, conn, event):
        data = dict(event.data)
        for key in ("modes", "departments", "focus", "officer_ids"):
            data[key] = json.dumps(data.get(key, []))
        conn.execute(_INSERT[inspections], dict(
            id=data.pop("inspection_id"), status="scheduled", scheduled_at=event.meta.time, **data))

    @handles("SelfInspectionAnswered")
    def answered(self, conn, event):
        _set(inspections, event.inspection_id,
             conn, answers=json.dumps({"checklist": event.checklist,
                                       "version": event.checklist_version,
                                       "answers": event.answers}, ensure_ascii=False))

    @handles("FindingRecorded")
    def finding(self, conn, event):
        data = {k: event.data[k] for k in ("finding_id", "inspection_id", "item", "checklist",
                                           "category", "severity",
                                           "suspend_immediately", "department")}
        conn.execute(_INSERT[findings], dict(evidence=json.dumps(event.evidence), hazard=False,
                                             recorded_at=event.meta.time, **data))

    @handles("HazardFound")
    def hazard(self, conn, event):
        _set(findings, event.finding_id, conn, hazard=True)

    @handles("PatrolLogImported")
    def patrol_log(self, conn, event):
        conn.execute(_INSERT[patrol_logs], {c.name: event.data[c.name] for c in patrol_logs.columns})

    @handles("InspectionCompleted")
    def completed(self, conn, event):
        _set(inspections, event.inspection_id, conn, status="completed",
             completed_at=event.meta.time, outcome=event.outcome, max_severity=event.max_severity,
             officer_ids=json.dumps(event.officer_ids))

    @handles("RectificationOrdered")
    def ordered(self, conn, event):
        data = event.data
        conn.execute(_INSERT[orders], dict(
            order_id=data["order_id"], institution_id=data["institution_id"],
            district=data["district"], items=json.dumps(data["items"]), deadline=data["deadline"],
            carry_over=data["carry_over"], campaign=data.get("campaign"),
            inspection_id=data.get("inspection_id"), status="open", overdue=False, failures=0,
            ordered_at=event.meta.time, updated_at=event.meta.time))

    @handles("RectificationReported", "RectificationVerified", "RectificationFailed",
             "RectificationOverdue")
    def order_changed(self, conn, event):
        values = {"_key": event.order_id, "updated_at": event.meta.time}
        if event.NAME == "RectificationOverdue":
            values["overdue"] = True
        elif event.NAME == "RectificationFailed":
            values.update(status="open", overdue=False, deadline=event.new_deadline)
            conn.execute(_ORDER_FAILED, values)
            return
        else:
            values["status"] = "reported" if event.NAME == "RectificationReported" else "verified"
        conn.execute(_UPDATE[orders], values)

    @handles("SampleDrawn")
    def sample(self, conn, event):
        conn.execute(_INSERT[samples], dict(sample_id=event.sample_id, district=event.district,
                                            drawn_at=event.meta.time, data=json.dumps(event.data)))


def _set(table, key, conn, **values):
    conn.execute(_UPDATE[table], {"_key": key, **values})


# -- queries ------------------------------------------------------------------
institutions = directory.institutions


def directory_entry(conn, institution_id):
    return directory.institution(conn, institution_id)


def by_credit_code(conn, credit_code):
    return (directory.by_credit_code(conn, credit_code) or {}).get("id")


def population(conn, district):
    """Ids of the district's institutions that are not closed (what a sample draws from)."""
    return sorted(conn.execute(select(institutions.c.id).where(
        institutions.c.district == district, institutions.c.status != "closed")).scalars())


def inspection_view(conn, inspection_id, with_notes=None):
    """The inspection with its findings; `with_notes(district)` says whether the
    reader may see the findings' descriptions (default: no)."""
    row = conn.execute(select(inspections).where(inspections.c.id == inspection_id)).first()
    if row is None:
        return None
    view = _inspection(row)
    query = select(findings)
    if with_notes and with_notes(row.district):
        query = select(findings, finding_notes.c.description).outerjoin(
            finding_notes, finding_notes.c.finding_id == findings.c.finding_id)
    view["findings"] = [_finding(f) for f in conn.execute(
        query.where(findings.c.inspection_id == inspection_id)
        .order_by(findings.c.recorded_at, findings.c.finding_id))]
    view["patrol_logs"] = [dict(r._asdict()) for r in conn.execute(
        select(patrol_logs).where(patrol_logs.c.inspection_id == inspection_id))]
    view["answers"] = json.loads(row.answers) if row.answers else None
    return view


# a finding with its note, read on the hot path (its answer, its lookup by disclosure):
# built once (shared.statements)
_FINDING = (select(findings, finding_notes.c.description, inspections.c.district)
            .join(inspections, inspections.c.id == findings.c.inspection_id)
            .outerjoin(finding_notes, finding_notes.c.finding_id == findings.c.finding_id)
            .where(findings.c.finding_id == bindparam("finding_id")))


def finding_view(conn, finding_id, with_notes=None):
    """One finding as `inspection_view` lists it (a just-recorded finding's answer:
    one read, not the whole inspection's)."""
    row = conn.execute(_FINDING, {"finding_id": finding_id}).first()
    if row is None:
        return None
    view = _finding(row)
    district = view.pop("district")
    if not (with_notes and with_notes(district)):
        del view["description"]
    return view


def public_finding(conn, finding_id):
    """What a finding that goes public says (a major or critical one, or one that suspends):
    its description with contact details masked. None for any other finding."""
    row = conn.execute(_FINDING, {"finding_id": finding_id}).first()
    if row is None or not (row.severity in ("major", "critical") or row.suspend_immediately):
        return None
    return {"finding_id": row.finding_id, "inspection_id": row.inspection_id, "item": row.item,
            "category": row.category, "severity": row.severity,
            "description": mask(row.description) if row.description else None}


def search_inspections(conn, page=1, per_page=50, department=None, **filters):
    """`department`: only the scheduled checks it takes part in, and every completed one."""
    query = select(inspections)
    for name, value in filters.items():
        if value is not None:
            query = query.where(inspections.c[name] == value)
    if department is not None:
        query = query.where(or_(inspections.c.status != "scheduled",
                                inspections.c.departments.contains(f'"{department}"')))
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar()
    rows = conn.execute(query.order_by(inspections.c.scheduled_at.desc(), inspections.c.id)
                        .limit(per_page).offset((page - 1) * per_page))
    return {"items": [_inspection(r) for r in rows], "total": total, "page": page,
            "per_page": per_page}


def _inspection(row):
    view = {key: value for key, value in row._asdict().items() if key != "answers"}
    for key in ("modes", "departments", "focus", "officer_ids"):
        view[key] = json.loads(view[key])
    return view


def _finding(row):
    view = row._asdict()
    view["evidence"] = [{"sha256": h, "url": f"/evidence/{h}"} for h in json.loads(row.evidence)]
    return view


def coverage(conn, district, kind, since=None):
    """Which of the district's open institutions had a completed inspection of `kind`."""
    done = select(inspections.c.institution_id).where(
        inspections.c.district == district, inspections.c.kind == kind,
        inspections.c.status == "completed")
    if since:
        # completed_at is a UTC timestamp; `since` is a Beijing date, from its midnight
        start = datetime.combine(since, time(), BEIJING).astimezone(timezone.utc)
        done = done.where(inspections.c.completed_at >= start.replace(tzinfo=None).isoformat())
    covered = set(conn.execute(done).scalars())
    rows = conn.execute(select(institutions.c.id, institutions.c.name).where(
        institutions.c.district == district, institutions.c.status != "closed")
        .order_by(institutions.c.name)).all()
    uncovered = [{"institution_id": r.id, "name": r.name} for r in rows if r.id not in covered]
    total = len(rows)
    return {"district": district, "kind": kind, "since": since.isoformat() if since else None,
            "institutions": total, "covered": total - len(uncovered),
            "ratio": round((total - len(uncovered)) / total, 4) if total else None,
            "uncovered": uncovered}


def evidence_citations(conn, sha256):
    """The inspections (district, status, departments) whose findings or patrol logs cite a file."""
    c = inspections.c
    by_finding = select(c.district, c.status, c.departments).join(
        findings, findings.c.inspection_id == c.id).where(findings.c.evidence.contains(sha256))
    by_patrol = select(c.district, c.status, c.departments).join(
        patrol_logs, patrol_logs.c.inspection_id == c.id).where(patrol_logs.c.sha256 == sha256)
    return [{**row._asdict(), "departments": json.loads(row.departments)}
            for row in conn.execute(by_finding.union(by_patrol))]


def order_view(conn, order_id):
    row = conn.execute(select(orders).where(orders.c.order_id == order_id)).first()
    return _order(row) if row else None


def search_orders(conn, **filters):
    query = select(orders)
    for name, value in filters.items():
        if value is not None:
            query = query.where(orders.c[name] == value)
    rows = conn.execute(query.order_by(orders.c.deadline, orders.c.order_id)).all()
    counts = Counter(row.status for row in rows)
    return {"items": [_order(r) for r in rows], "total": len(rows), "by_status": dict(counts),
            "overdue": sum(1 for r in rows if r.overdue and r.status != "verified")}


def _order(row):
    view = row._asdict()
    view["items"] = json.loads(view["items"])
    return view


def orders_past_deadline(conn, today):
    """Open orders whose deadline passed and that are not yet flagged overdue."""
    return list(conn.execute(select(orders.c.order_id).where(
        orders.c.status == "open", orders.c.overdue == False,  # noqa: E712
        orders.c.deadline < today.isoformat())).scalars())


def sample_view(conn, sample_id):
    row = conn.execute(select(samples).where(samples.c.sample_id == sample_id)).first()
    return {**json.loads(row.data), "drawn_at": row.drawn_at} if row else None
