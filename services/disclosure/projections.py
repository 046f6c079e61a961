"""Disclosure read models.

`PublicViews` is derived from disclosure's own events (cases, published list
batches, notices) and can be dropped and rebuilt. `mirror` holds reference data
copied from other services' events in their handlers (reviews, status reasons, hazards, suspensions, inspections, complaint counts); it cannot be replayed from
our own log, so it is one of the Store's `tables`, never dropped by a rebuild. The
institutions are the registry's directory (shared.directory)."""
import json

from sqlalchemy import (Boolean, Column, Float, Integer, MetaData, String, Table, Text, insert,
                        update)

from shared.projections import Projection, handles

public = MetaData()
cases = Table(
    "cases", public,
    Column("case_id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("district", String(6), nullable=False, index=True),
    Column("institution_id", String(36), index=True),
    Column("institution_name", String(200), nullable=False),
    Column("credit_code", String(18)),
    Column("address", String(300), nullable=False),
    Column("category", String(20)),
    Column("finding", Text, nullable=False),
    Column("decision", Text, nullable=False),
    Column("outcomes", Text, nullable=False),
    Column("corrections", Text, nullable=False),
    Column("source_event_id", String(64), nullable=False),
    Column("found_at", String(40)),
    Column("exposed_at", String(40), nullable=False, index=True),
    Column("seconds_to_publish", Float),
    Column("updated_at", String(40), nullable=False),
    Column("status", String(12), nullable=False),
    Column("withdrawn_reason", Text),
)
case_history = Table(
    "case_history", public,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("at", String(40), nullable=False),
    Column("action", String(20), nullable=False),
    Column("detail", Text, nullable=False),
)
published_batches = Table(
    "published_batches", public,
    Column("district", String(6), primary_key=True),
    Column("list", String(5), primary_key=True),
    Column("batch_no", Integer, primary_key=True),
    Column("published_on", String(10)),
    Column("published_at", String(40), nullable=False),
    Column("institution_ids", Text, nullable=False),
)
# a published batch's institutions, one row each: a district's list is shown a page at a
# time in the order of its entries' standing and name, which the database then sorts
published_members = Table(
    "published_members", public,
    Column("district", String(6), primary_key=True),
    Column("list", String(5), primary_key=True),
    Column("batch_no", Integer, primary_key=True),
    Column("institution_id", String(36), primary_key=True),
)
notices = Table(
    "notices", public,
    Column("notice_id", String(36), primary_key=True),
    Column("district", String(6), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("reasons", Text, nullable=False),
    Column("named_on", String(10)),
    Column("campaign_id", String(64)),
    Column("published_at", String(40), nullable=False),
)


def _json(value):
    return json.dumps(value, ensure_ascii=False)


# built once: a case's two inserts are on the hazard → case path
_INSERT_CASE = insert(cases)
_INSERT_HISTORY = insert(case_history)
_INSERT_MEMBER = insert(published_members)


class PublicViews(Projection):
    NAME = "disclosure"
    VERSION = 2  # 2: published_members
    metadata = public

    @handles("CaseExposed")
    def exposed(self, conn, event):
        d = event.data
        conn.execute(_INSERT_CASE, dict(
            case_id=d["case_id"], kind=d["kind"], district=d["district"],
            institution_id=d.get("institution_id"), institution_name=d.get("institution_name", ""),
            credit_code=d.get("credit_code"), address=d.get("address", ""),
            category=d.get("category"), finding=_json(d.get("finding") or {}),
            decision=_json(d.get("decision") or {}), outcomes="[]", corrections="{}",
            source_event_id=d["source_event_id"], found_at=d.get("found_at"),
            exposed_at=d["exposed_at"], seconds_to_publish=d.get("seconds_to_publish"),
            updated_at=d["exposed_at"], status="published"))
        self._history(conn, d["case_id"], event, "exposed", {"kind": d["kind"]})

    @handles("CaseOutcomeRecorded")
    def outcome(self, conn, event):
        entry = {k: event.data.get(k) for k in ("outcome", "at", "department", "reason")}
        row = conn.execute(cases.select().where(cases.c.case_id == event.case_id)).one()
        self._set(conn, event, outcomes=_json(json.loads(row.outcomes) + [entry]))
        self._history(conn, event.case_id, event, "outcome", entry)

    @handles("CaseCorrected")
    def corrected(self, conn, event):
        row = conn.execute(cases.select().where(cases.c.case_id == event.case_id)).one()
        merged = {**json.loads(row.corrections), **event.changes}
        self._set(conn, event, corrections=_json(merged))
        self._history(conn, event.case_id, event, "corrected",
                      {"reason": event.reason, "fields": sorted(event.changes)})

    @handles("CaseWithdrawn")
    def withdrawn(self, conn, event):
        self._set(conn, event, status="withdrawn", withdrawn_reason=event.reason)
        self._history(conn, event.case_id, event, "withdrawn", {"reason": event.reason})

    @handles("ListPublished")
    def list_published(self, conn, event):
        conn.execute(insert(published_batches).values(
            district=event.district, list=event.list, batch_no=event.batch_no,
            published_on=event.data.get("published_on") or event.meta.time[:10],
            published_at=event.meta.time, institution_ids=_json(event.institution_ids)))
        members = sorted(set(event.institution_ids))
        if members:
            conn.execute(_INSERT_MEMBER, [
                {"district": event.district, "list": event.list, "batch_no": event.batch_no,
                 "institution_id": institution_id} for institution_id in members])

    @handles("NoticePublished")
    def notice(self, conn, event):
        d = event.data
        conn.execute(insert(notices).values(
            notice_id=d["notice_id"], district=d["district"], kind=d["kind"],
            reasons=_json(d.get("reasons") or []), named_on=d.get("named_on"),
            campaign_id=d.get("campaign_id"), published_at=event.meta.time))

    @staticmethod
    def _set(conn, event, **values):
        conn.execute(update(cases).where(cases.c.case_id == event.case_id)
                     .values(updated_at=event.meta.time, **values))

    @staticmethod
    def _history(conn, case_id, event, action, detail):
        conn.execute(_INSERT_HISTORY, dict(case_id=case_id, at=event.meta.time,
                                           action=action, detail=_json(detail)))


# -- the mirror of other services' data ---------------------------------------------------
mirror = MetaData()
# The institutions are the registry's directory (shared.directory). Why the current status
# holds (the registry's reason, shown redacted) is disclosure's own.
m_status_reasons = Table(
    "m_status_reasons", mirror,
    Column("institution_id", String(36), primary_key=True),
    Column("status", String(12), nullable=False),
    Column("reason", Text),
    Column("source_event_id", String(64)),
)
m_reviews = Table(
    "m_reviews", mirror,
    Column("review_id", String(36), primary_key=True),
    Column("institution_id", String(36), nullable=False, index=True),
    Column("district", String(6)),
    Column("source_event_id", String(64)),
    Column("reason", Text),
    Column("opened_at", String(40)),
    Column("decision", String(12)),
    Column("decision_reason", Text),
    Column("decided_at", String(40)),
    Column("department", String(30)),
    Column("decision_event_id", String(64)),
)
m_hazards = Table(
    "m_hazards", mirror,
    Column("event_id", String(64), primary_key=True),
    Column("finding_id", String(64)),
    Column("inspection_id", String(64), index=True),
    Column("institution_id", String(36), index=True),
    Column("district", String(6)),
    Column("severity", String(10)),
    Column("item", String(200)),
    Column("item_title", Text),
    Column("category", String(30)),
    Column("department", String(30)),
    Column("found_at", String(40)),
)
m_unlicensed = Table(
    "m_unlicensed", mirror,
    Column("event_id", String(64), primary_key=True),
    Column("inspection_id", String(64), index=True),
    Column("institution_id", String(36), index=True),
    Column("district", String(6)),
    Column("name", String(200)),
    Column("address", String(300)),
    Column("department", String(30)),
    Column("found_at", String(40)),
)
# Violations that become a case once every fact the case shows is in (name, inspection):
# a major/critical finding of an enforcement category, or a substantiated complaint.
m_violations = Table(
    "m_violations", mirror,
    Column("case_key", String(120), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("institution_id", String(36), index=True),
    Column("inspection_id", String(64), index=True),
    Column("data", Text, nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("found_at", String(40)),
)
# What the inspector wrote about a public finding, masked (inspection's GET /public/findings).
m_finding_texts = Table(
    "m_finding_texts", mirror,
    Column("finding_id", String(64), primary_key=True),
    Column("description", Text),
)
m_suspensions = Table(
    "m_suspensions", mirror,
    Column("source_event_id", String(64), primary_key=True),
    Column("institution_id", String(36), nullable=False),
    Column("district", String(6)),
    Column("suspended_at", String(40)),
)
m_inspections = Table(
    "m_inspections", mirror,
    Column("inspection_id", String(64), primary_key=True),
    Column("kind", String(20)),
    Column("modes", Text, nullable=False, default="[]"),
    Column("departments", Text, nullable=False, default="[]"),
)
m_complaints = Table(
    "m_complaints", mirror,
    Column("complaint_id", String(64), primary_key=True),
    Column("district", String(6), index=True),
    Column("received_at", String(40)),
    Column("answered", Boolean, nullable=False, default=False),
    Column("closed", Boolean, nullable=False, default=False),
)

