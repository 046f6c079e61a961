"""Writing and reading the mirror of other services' data (tables in projections.py;
the institutions are the registry's directory, shared.directory).

Called from event handlers inside a unit of work, so the inbox makes every write
happen once. A source's events arrive in its log order (one queue per source);
facts from different sources meet here in any order."""
import json

from sqlalchemy import bindparam, insert, select, update

from shared import directory, statements

from .projections import (m_complaints, m_hazards, m_inspections, m_reviews, m_finding_texts,
                          m_status_reasons, m_suspensions, m_unlicensed, m_violations)


def _upsert(conn, table, key, values):
    statements.upsert(conn, table, {key: values[key]}, values)


# -- registry (the directory: shared.directory) ----------------------------------------------
def status_changed(conn, data, status):
    """Why the institution's status is what it is (the directory holds the status)."""
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
    """The decision of a review opened before it (BlacklistReviewOpened)."""
    conn.execute(update(m_reviews).where(m_reviews.c.review_id == data["review_id"]).values(
        decision=data.get("decision"), decision_reason=data.get("reason"),
        decided_at=inbound.get("time"), department=data.get("department"),
        decision_event_id=inbound["id"]))


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
    row = statements.row(conn, m_finding_texts, "finding_id", finding_id)
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
    if statements.row(conn, m_violations, "case_key", case_key) is None:
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
    """Answered or closed: a complaint received before, in complaints' order."""
    values = {"answered": True, **({"closed": True} if closed else {})}
    conn.execute(update(m_complaints).where(m_complaints.c.complaint_id == data["complaint_id"])
                 .values(**values))


# -- reads used by the handlers ---------------------------------------------------------------
def institution(conn, institution_id):
    return directory.institution(conn, institution_id)


def hazard(conn, event_id):
    return statements.row(conn, m_hazards, "event_id", event_id)


def unlicensed_findings(conn, **where):
    """Unlicensed-operation findings (of an institution_id= or an inspection_id=), each
    as (event data, CloudEvents attributes)."""
    rows = conn.execute(select(m_unlicensed).filter_by(**where))
    return [({"inspection_id": r.inspection_id, "institution_id": r.institution_id,
              "district": r.district, "name": r.name, "address": r.address,
              "department": r.department}, {"id": r.event_id, "time": r.found_at})
            for r in rows]


def suspension(conn, source_event_id):
    return statements.row(conn, m_suspensions, "source_event_id", source_event_id)


def review(conn, review_id):
    return statements.row(conn, m_reviews, "review_id", review_id)


_DECIDED_FROM = select(m_reviews).where(m_reviews.c.source_event_id == bindparam("source"),
                                        m_reviews.c.decision.is_not(None))


def reviews_decided_from(conn, source_event_id):
    return [row._asdict() for row in conn.execute(_DECIDED_FROM, {"source": source_event_id})]


def inspection(conn, inspection_id):
    row = statements.row(conn, m_inspections, "inspection_id", inspection_id)
    if row:
        row["modes"], row["departments"] = json.loads(row["modes"]), json.loads(row["departments"])
    return row

