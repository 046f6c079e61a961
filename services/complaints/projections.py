"""Complaint read models (rebuildable from the events) and the matching of a reported
institution against the registry's (shared.directory)."""
import json

from sqlalchemy import (Boolean, Column, Integer, MetaData, String, Table, Text, and_, insert,
                        literal, or_, select, update)

from shared import directory
from shared.directory import normalize_name
from shared.projections import Projection, handles

metadata = MetaData()
complaints = Table(
    "complaints", metadata,
    Column("id", String(36), primary_key=True),
    Column("district", String(6), nullable=False, index=True),
    Column("channel", String(20), nullable=False),
    Column("category", String(30), nullable=False),
    Column("institution_id", String(36), index=True),
    Column("institution_name", String(200), nullable=False),
    Column("institution_match", String(20)),
    Column("institution_key", String(240), index=True),   # for finding duplicates
    Column("address", String(300), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("lead_department", String(30)),
    Column("handling_departments", Text, nullable=False, default="[]"),
    Column("deadlines", Text, nullable=False, default="{}"),
    Column("due_acknowledge", String(20)),  # pending deadlines only: null once met or flagged
    Column("due_verify", String(20)),
    Column("due_answer", String(20)),
    Column("overdue_stages", Text, nullable=False, default="[]"),  # [{stage, due}] missed
    Column("escalated", Boolean, nullable=False, default=False),
    Column("merged_into", String(36), index=True),
    Column("substantiated", Boolean),
    Column("inspection_id", String(64)),
    Column("photo_count", Integer, nullable=False, default=0),
    Column("has_contact", Boolean, nullable=False, default=False),
    Column("supervisor_id", String(36)),
    Column("report_id", String(64)),
    Column("reopen_count", Integer, nullable=False, default=0),
    Column("received_at", String(40), nullable=False, index=True),
    Column("acknowledged_at", String(40)),
    Column("verification_requested_at", String(40)),
    Column("verified_at", String(40)),
    Column("answered_at", String(40)),
    Column("closed_at", String(40)),
    Column("updated_at", String(40), nullable=False),
)
supervisors = Table(
    "supervisors", metadata,
    Column("id", String(36), primary_key=True),
    Column("district", String(6), nullable=False, index=True),
    Column("active", Boolean, nullable=False),
    Column("registered_at", String(40), nullable=False),
)
DUES = {"acknowledge": "due_acknowledge", "verify": "due_verify", "answer": "due_answer"}

institutions = directory.institutions


class ComplaintViews(Projection):
    NAME = "complaints"
    VERSION = 1
    metadata = metadata

    @handles("ComplaintReceived")
    def received(self, conn, event):
        data, name = event.data, event.data.get("institution_name") or ""
        conn.execute(insert(complaints).values(
            id=data["complaint_id"], district=data["district"], channel=data["channel"],
            category=data["category"], institution_id=data.get("institution_id"),
            institution_name=name, address=data.get("address") or "",
            institution_key=institution_key(data.get("institution_id"), name), status="received",
            photo_count=len(data.get("evidence") or []), has_contact=data.get("has_contact", False),
            supervisor_id=data.get("supervisor_id"), report_id=data.get("report_id"),
            received_at=data["received_at"], updated_at=event.meta.time))

    @handles("ComplaintAssigned")
    def assigned(self, conn, event):
        row = _row(conn, event.complaint_id)
        deadlines, data = event.deadlines, event.data
        name = row.institution_name if data.get("institution_name") is None else data["institution_name"]
        flagged = {(o["stage"], o["due"]) for o in json.loads(row.overdue_stages)}
        dues = {column: (None if _met(row, stage) or (stage, deadlines[stage]) in flagged
                         else deadlines[stage]) for stage, column in DUES.items()}
        self._set(conn, event, category=event.category, institution_id=event.institution_id,
                  institution_match=event.institution_match,
                  institution_name=name, institution_key=institution_key(event.institution_id, name),
                  address=row.address if data.get("address") is None else data["address"],
                  lead_department=event.lead_department,
                  handling_departments=json.dumps(event.handling_departments),
                  deadlines=json.dumps(deadlines), **dues,
                  status="assigned" if row.status == "received" else row.status)

    @handles("ComplaintMerged")
    def merged(self, conn, event):
        self._set(conn, event, status="merged", merged_into=event.into,
                  lead_department=event.lead_department, **_no_dues())

    @handles("ComplaintAcknowledged")
    def acknowledged(self, conn, event):
        self._set(conn, event, status="acknowledged", acknowledged_at=event.meta.time,
                  due_acknowledge=None)

    @handles("VerificationRequested")
    def verification_requested(self, conn, event):
        self._set(conn, event, status="verifying", verification_requested_at=event.meta.time)

    @handles("ComplaintVerified")
    def verified(self, conn, event):
        row = _row(conn, event.complaint_id)
        self._set(conn, event, status="verified", verified_at=event.meta.time,
                  substantiated=event.substantiated, inspection_id=event.data.get("inspection_id"),
                  acknowledged_at=row.acknowledged_at or event.meta.time,
                  due_acknowledge=None, due_verify=None)

    @handles("ComplaintAnswered")
    def answered(self, conn, event):
        self._set(conn, event, status="answered", answered_at=event.meta.time,
                  substantiated=event.data.get("substantiated"), **_no_dues())

    @handles("ComplaintClosed")
    def closed(self, conn, event):
        self._set(conn, event, status="closed", closed_at=event.meta.time)

    @handles("ComplaintReopened")
    def reopened(self, conn, event):
        row = _row(conn, event.complaint_id)
        self._set(conn, event, status="reopened", reopen_count=row.reopen_count + 1,
                  deadlines=json.dumps(event.deadlines), due_acknowledge=None,
                  due_verify=event.deadlines["verify"], due_answer=event.deadlines["answer"],
                  verified_at=None, answered_at=None, closed_at=None, substantiated=None)

    @handles("ComplaintOverdue")
    def overdue(self, conn, event):
        row = _row(conn, event.complaint_id)
        missed = json.loads(row.overdue_stages) + [{"stage": event.stage, "due": event.due}]
        self._set(conn, event, overdue_stages=json.dumps(missed), **{DUES[event.stage]: None})

    @handles("ComplaintEscalated")
    def escalated(self, conn, event):
        self._set(conn, event, escalated=True)

    @handles("SupervisorRegistered")
    def supervisor_registered(self, conn, event):
        conn.execute(insert(supervisors).values(id=event.supervisor_id, district=event.district,
                                                active=True, registered_at=event.meta.time))

    @handles("SupervisorRevoked")
    def supervisor_revoked(self, conn, event):
        conn.execute(update(supervisors).where(supervisors.c.id == event.supervisor_id)
                     .values(active=False))

    @staticmethod
    def _set(conn, event, **values):
        conn.execute(update(complaints).where(complaints.c.id == event.complaint_id)
                     .values(updated_at=event.meta.time, **values))


def _row(conn, complaint_id):
    return conn.execute(select(complaints).where(complaints.c.id == complaint_id)).one()


def institution_key(institution_id, name):
    if institution_id:
        return f"id:{institution_id}"
    norm = normalize_name(name)
    return f"name:{norm}" if norm else None


def _met(row, stage):
    done = {"acknowledge": row.acknowledged_at, "verify": row.verified_at,
            "answer": row.answered_at}
    return bool(done[stage])


def _no_dues():
    return {column: None for column in DUES.values()}


# -- the institution a report names --------------------------------------------------------
def institution(conn, institution_id):
    return directory.institution(conn, institution_id)


def match_institution(conn, district, credit_code=None, name=None):
    """The registered institution a report names: by credit code anywhere, else by
    name within the district (exact, then a unique partial match); None if unlisted."""
    found = directory.by_credit_code(conn, credit_code)
    if found:
        return found, "credit_code"
    norm = normalize_name(name)
    if len(norm) < 2:
        return None, "unlisted"
    rows = directory.by_name(conn, name, district)
    if len(rows) != 1:
        c = institutions.c
        rows = conn.execute(select(institutions).where(c.district == district, or_(
            c.norm_name.contains(norm, autoescape=True),
            and_(c.norm_name != "", literal(norm).contains(c.norm_name))))).all()
        rows = [directory.institution(conn, row.id) for row in rows]
    return (rows[0], "name") if len(rows) == 1 else (None, "unlisted")


def institution_names(conn, district, limit=500):
    """Names a reporter may pick from: the district's institutions not closed."""
    rows = conn.execute(select(institutions.c.name).where(
        institutions.c.district == district, institutions.c.status != "closed")
        .order_by(institutions.c.name).limit(limit))
    return [row.name for row in rows]
