"""Writing and reading the mirror of other services' data (tables in projections.py).

Called from event handlers inside a unit of work, so the inbox makes every write
happen once. A source's events arrive in its log order (one queue per source);
facts from different sources meet here in any order."""
import functools
import json

from sqlalchemy import bindparam, insert, or_, select, update

from .projections import (m_complaints, m_hazards, m_inspections, m_institutions, m_reviews,
                          m_finding_texts, m_status_reasons, m_suspensions, m_unlicensed,
                          m_violations)


def _upsert(conn, table, key, values):
    change, add = _upsert_statements(table, key, tuple(values))
    params = {f"v_{name}": value for name, value in values.items()}
    if conn.execute(change, params).rowcount == 0:
        conn.execute(add, params)


def _row(conn, table, key, value):
    if value is None:
        return None
    row = conn.execute(_select_by(table, key), {"value": value}).first()
    return row._asdict() if row else None


# Built once per shape: SQLAlchemy then skips building and cache-keying a statement per
# call (a quarter of disclosure's CPU per hazard, bench/README.md "Hazard lane").
@functools.cache
def _upsert_statements(table, key, names):
    values = {name: bindparam(f"v_{name}") for name in names}
    return (update(table).where(table.c[key] == bindparam(f"v_{key}")).values(values),
            insert(table).values(values))


@functools.cache
def _select_by(table, key):
    return select(table).where(table.c[key] == bindparam("value"))


# -- registry -----------------------------------------------------------------------------
def institution_registered(conn, data):
    fields = ("name", "credit_code", "district", "category", "supervising_department", "address")
    values = {k: data.get(k) or "" for k in fields}
    _upsert(conn, m_institutions, "id", {"id": data["institution_id"], **values})


def licence_changed(conn, data, expired):
    institution_id = data["institution_id"]
    row = _row(conn, m_institutions, "id", institution_id)
    licences = json.loads(row["licences"]) if row else {}
    licence = licences.setdefault(data["kind"], {})
    if expired:
        licence["expired"] = True
    else:
        licence.update(number=data.get("number"), valid_until=data.get("valid_until"),
                       expired=False)
    _upsert(conn, m_institutions, "id", {"id": institution_id,
                                         "licences": json.dumps(licences, ensure_ascii=False)})


def status_changed(conn, data, status, inbound):
    _upsert(conn, m_institutions, "id", {
        "id": data["institution_id"], "status": status, "status_since": inbound.get("time")})
    _upsert(conn, m_status_reasons, "institution_id", {
        "institution_id": data["institution_id"], "status": status,
        "reason": data.get("reason"), "source_event_id": data.get("source_event_id")})


def suspension_recorded(conn, data, inbound):
    if data.get("source_event_id"):
        _upsert(conn, m_suspensions, "source_event_id", {
            "source_event_id": data["source_event_id"], "institution_id": data["institution_id"],
            "district": data.get("district"), "suspended_at": inbound.get("time")})


def review_opened(conn, data, inbound):
    _upsert(conn, m_reviews, "review_id", {
        "review_id": data["review_id"], "institution_id": data["institution_id"],
        "district": data.get("district"), "source_event_id": data.get("source_event_id"),
        "reason": data.get("reason"), "opened_at": inbound.get("time")})


def review_decided(conn, data, inbound):
    values = {"review_id": data["review_id"], "institution_id": data["institution_id"],
              "district": data.get("district"), "decision": data.get("decision"),
              "decision_reason": data.get("reason"), "decided_at": inbound.get("time"),
              "department": data.get("department"), "decision_event_id": inbound["id"]}
    if data.get("source_event_id"):  # older decisions do not name it; their opening does
        values["source_event_id"] = data["source_event_id"]
    _upsert(conn, m_reviews, "review_id", values)
    if data.get("decision") == "blacklisted":
        _upsert(conn, m_institutions, "id", {"id": data["institution_id"], "blacklisted": True})


# -- inspection ---------------------------------------------------------------------------
def hazard_found(conn, data, inbound, item_title=None):
    """Idempotent like every mirror write: a concurrent redelivery must not fail."""
    _upsert(conn, m_hazards, "event_id", {
        "event_id": inbound["id"], "finding_id": data.get("finding_id"),
        "inspection_id": data.get("inspection_id"), "institution_id": data.get("institution_id"),
        "district": data.get("district"), "severity": data.get("severity"),
        "item": data.get("item"), "item_title": item_title, "category": data.get("category"),
        "department": data.get("department"), "found_at": inbound.get("time")})


def finding_text(conn, finding_id, description=None):
    """Write (with a description) or read what a public finding says."""
    if description:
        _upsert(conn, m_finding_texts, "finding_id", {"finding_id": finding_id,
                                                      "description": description})
    row = _row(conn, m_finding_texts, "finding_id", finding_id)
    return row["description"] if row else None


def unlicensed_found(conn, data, inbound):
    _upsert(conn, m_unlicensed, "event_id", {
        "event_id": inbound["id"], "inspection_id": data.get("inspection_id"),
        "institution_id": data.get("institution_id"), "district": data.get("district"),
        "name": data.get("name"), "address": data.get("address"),
        "department": data.get("department"), "found_at": inbound.get("time")})


def inspection_scheduled(conn, data):
    _upsert(conn, m_inspections, "inspection_id", {
        "inspection_id": data["inspection_id"], "kind": data.get("kind"),
        "modes": json.dumps(data.get("modes") or []),
        "departments": json.dumps(data.get("departments") or [])})


def violation_found(conn, case_key, kind, data, inbound):
    """Keep the first event of a case (a later finding of the same visit adds nothing)."""
    if _row(conn, m_violations, "case_key", case_key) is None:
        conn.execute(insert(m_violations).values(
            case_key=case_key, kind=kind, institution_id=data.get("institution_id"),
            inspection_id=data.get("inspection_id"), event_id=inbound["id"],
            data=json.dumps(data, ensure_ascii=False), found_at=inbound.get("time")))


def violations(conn, **where):
    """Violations (of an institution_id= or an inspection_id=, or by case_key=), each as
    (case key, kind, event data, CloudEvents attributes)."""
    rows = conn.execute(select(m_violations).filter_by(**where))
    return [(r.case_key, r.kind, json.loads(r.data), {"id": r.event_id, "time": r.found_at})
            for r in rows]


# -- complaints ---------------------------------------------------------------------------
def complaint_received(conn, data, inbound):
    _upsert(conn, m_complaints, "complaint_id", {
        "complaint_id": data["complaint_id"], "district": data.get("district"),
        "received_at": inbound.get("time")})


def complaint_progressed(conn, data, closed):
    values = {"complaint_id": data["complaint_id"], "answered": True}
    if closed:
        values["closed"] = True
    _upsert(conn, m_complaints, "complaint_id", values)


# -- reads used by the handlers ---------------------------------------------------------------
def institution(conn, institution_id):
    row = _row(conn, m_institutions, "id", institution_id)
    if row:
        row["licences"] = json.loads(row["licences"])
    return row


def hazard(conn, event_id):
    return _row(conn, m_hazards, "event_id", event_id)


def unlicensed_findings(conn, **where):
    """Unlicensed-operation findings (of an institution_id= or an inspection_id=), each
    as (event data, CloudEvents attributes)."""
    rows = conn.execute(select(m_unlicensed).filter_by(**where))
    return [({"inspection_id": r.inspection_id, "institution_id": r.institution_id,
              "district": r.district, "name": r.name, "address": r.address,
              "department": r.department}, {"id": r.event_id, "time": r.found_at})
            for r in rows]


def suspension(conn, source_event_id):
    return _row(conn, m_suspensions, "source_event_id", source_event_id)


def review(conn, review_id):
    return _row(conn, m_reviews, "review_id", review_id)


def blacklistings_of(conn, institution_id):
    """The institution's black-list decisions, as (event data, CloudEvents attributes)."""
    t = m_reviews.c
    rows = conn.execute(select(m_reviews).where(t.institution_id == institution_id,
                                                t.decision == "blacklisted"))
    return [({"review_id": r.review_id, "institution_id": r.institution_id,
              "district": r.district, "decision": r.decision, "reason": r.decision_reason,
              "department": r.department, "source_event_id": r.source_event_id},
             {"id": r.decision_event_id, "time": r.decided_at}) for r in rows]


def reviews_decided_from(conn, source_event_id):
    rows = conn.execute(select(m_reviews).where(m_reviews.c.source_event_id == source_event_id,
                                                m_reviews.c.decision.is_not(None)))
    return [row._asdict() for row in rows]


def inspection(conn, inspection_id):
    row = _row(conn, m_inspections, "inspection_id", inspection_id)
    if row:
        row["modes"], row["departments"] = json.loads(row["modes"]), json.loads(row["departments"])
    return row


def institutions_matching(conn, q, district=None, limit=50):
    c = m_institutions.c
    query = select(m_institutions).where(c.name != "").where(
        or_(c.name.contains(q, autoescape=True), c.credit_code == q.upper()))
    if district:
        query = query.where(c.district == district)
    rows = conn.execute(query.order_by(c.name, c.id).limit(limit))
    return [dict(row._asdict(), licences=json.loads(row.licences)) for row in rows]

