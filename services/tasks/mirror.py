"""Mirrors of other services' facts, and the facts a district's tasks are measured by.

Every writer here runs inside the handler's unit of work (`uow.conn`), so the
inbox makes a redelivered event change nothing. The institutions are the
registry's directory (shared.directory). Facts of different sources meet here in
any order: a list batch's row is written by the registry's and disclosure's events.
"""
import json
from datetime import datetime

from sqlalchemy import and_, func, select, update

from shared.clock import local_date
from shared.directory import institutions, normalize_name
from shared.statements import upsert

from . import policies
from .projections import (mirror_cases_exposed as exposed, mirror_cases_found as found,
                          mirror_inspections as inspections, mirror_lists as lists,
                          mirror_rectifications as rectifications, plan_filings,
                          school_returns, schools)


# -- registry ------------------------------------------------------------------------
def list_step(conn, data, **values):
    """A list batch published (with its members), disclosed or filed."""
    key = {"district": data["district"], "list": data["list"], "batch_no": int(data["batch_no"])}
    upsert(conn, lists, key, values)


# -- inspection ----------------------------------------------------------------------
def inspection_completed(conn, data, at):
    row = policies.inspection_row(data)
    if row is not None:
        upsert(conn, inspections, {"inspection_id": data["inspection_id"]},
               {**row, "modes": json.dumps(row["modes"]), "focus": json.dumps(row["focus"]),
                "completed_at": at})


def rectification(conn, data, verified=None):
    values = {"institution_id": data.get("institution_id"), "district": data.get("district")}
    if "carry_over" in data:
        values["carry_over"] = bool(data["carry_over"])
    if verified is not None:
        values["verified"] = verified
    upsert(conn, rectifications, {"order_id": data["order_id"]},
           {k: v for k, v in values.items() if v is not None})


def case_found(conn, event_name, data, at):
    key, kind = policies.case_key(event_name, data)
    upsert(conn, found, {"case_key": key}, {"district": data["district"], "kind": kind},
           found_at=at)


# -- disclosure ----------------------------------------------------------------------
def case_exposed(conn, data, at):
    upsert(conn, exposed, {"case_id": data["case_id"]},
           {"district": data.get("district"), "kind": data.get("kind"), "exposed_at": at})


def case_withdrawn(conn, data):
    """Returns the case's district (the withdrawal event carries none; its exposure,
    before it in disclosure's order, does)."""
    conn.execute(update(exposed).where(exposed.c.case_id == data["case_id"])
                 .values(withdrawn=True))
    return conn.execute(select(exposed.c.district)
                        .where(exposed.c.case_id == data["case_id"])).scalar()


# -- the white list --------------------------------------------------------------------
def white_lookup(conn):
    """`lookup(credit_code, name)` → the registered institution (with `white`:
    in its district's latest published white batch, open, not black-listed)."""
    latest = (select(lists.c.district, func.max(lists.c.batch_no).label("batch_no"))
              .where(lists.c.list == "white", lists.c.institution_ids.is_not(None))
              .group_by(lists.c.district).subquery())
    rows = conn.execute(select(lists.c.institution_ids).join(latest, and_(
        lists.c.district == latest.c.district, lists.c.batch_no == latest.c.batch_no,
        lists.c.list == "white")))
    white = {i for row in rows for i in json.loads(row.institution_ids)}

    def lookup(credit_code, name):
        query = select(institutions)
        row = None
        if credit_code:
            row = conn.execute(query.where(
                institutions.c.credit_code == credit_code.upper())).first()
        if row is None and name:
            row = conn.execute(query.where(institutions.c.norm_name == normalize_name(name))).first()
        if row is None:
            return None
        listed = row.id in white and row.status == "open" and not row.blacklisted
        return {"id": row.id, "name": row.name, "credit_code": row.credit_code,
                "district": row.district, "white": listed}
    return lookup


# -- facts of one district in one campaign -----------------------------------------------
def facts(conn, campaign_id, district, since):
    active = _active_institutions(district)
    return {
        "plan_filed_on": _plan_filed_on(conn, campaign_id, district),
        "lists": _lists(conn, district, since),
        "institutions": _count(conn, active),
        "self_inspected": _inspected(conn, active, "self", since),
        "safety_inspected": _inspected(conn, active, "safety", since),
        **_carry_over(conn, district),
        **_school_facts(conn, campaign_id, district),
        "checks": _checks(conn, district, since),
        "cases_found": _count(conn, select(found.c.case_key).where(
            found.c.district == district, found.c.found_at >= since)),
        "cases_exposed": _count(conn, select(exposed.c.case_id).where(
            exposed.c.district == district, exposed.c.withdrawn.is_(False),
            exposed.c.exposed_at >= since)),
    }


def _count(conn, query):
    return conn.execute(select(func.count()).select_from(query.subquery())).scalar()


def _active_institutions(district):
    c = institutions.c
    return select(c.id).where(c.district == district, c.status != "closed")


def _inspected(conn, active, kind, since):
    c = inspections.c
    done = select(c.institution_id).where(c.kind == kind, c.completed_at >= since)
    return _count(conn, active.where(institutions.c.id.in_(done)))


def _plan_filed_on(conn, campaign_id, district):
    at = conn.execute(select(plan_filings.c.first_filed_at).where(
        plan_filings.c.campaign_id == campaign_id, plan_filings.c.district == district)).scalar()
    return local_date(datetime.fromisoformat(at)).isoformat() if at else None


def _lists(conn, district, since):
    state = {}
    for row in conn.execute(select(lists).where(lists.c.district == district)):
        entry = state.setdefault(row.list, {"published": False, "filed": False})
        entry["published"] |= any((t or "") >= since for t in (row.published_at, row.disclosed_at))
        entry["filed"] |= (row.filed_at or "") >= since
    return state


def _carry_over(conn, district):
    c = rectifications.c
    carried = select(c.order_id).where(c.district == district, c.carry_over.is_(True))
    return {"carry_over_total": _count(conn, carried),
            "carry_over_open": _count(conn, carried.where(c.verified.is_(False)))}


def _school_facts(conn, campaign_id, district):
    r = school_returns.c
    rows = conn.execute(select(r.survey_revision, r.enrolments, r.unlisted, r.meetings)
                        .where(r.campaign_id == campaign_id, r.district == district)).all()
    return {"schools": _count(conn, select(schools.c.school_id).where(schools.c.district == district)),
            "surveyed": sum(1 for row in rows if row.survey_revision),
            "enrolments": sum(row.enrolments or 0 for row in rows),
            "unlisted": sum(row.unlisted or 0 for row in rows),
            "meetings": [row.meetings for row in rows if row.meetings is not None]}


def _checks(conn, district, since):
    """Completed inspections by kind, counted per mode and per topic checked."""
    c = inspections.c
    counts = {}
    for row in conn.execute(select(c.kind, c.modes, c.focus).where(
            c.district == district, c.completed_at >= since)):
        per_kind = counts.setdefault(row.kind, {})
        for key in json.loads(row.modes) + json.loads(row.focus):
            per_kind[key] = per_kind.get(key, 0) + 1
    return counts
