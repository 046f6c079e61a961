"""Queries on the complaint read models (projections.py): case lists, duplicates,
pending deadlines, statistics."""
import json

from sqlalchemy import case, func, or_, select

from .projections import DUES, complaints, supervisors

COUNTS = ("received", "open", "merged", "answered", "substantiated", "overdue", "escalated",
          "reopened")
OPEN_STATUSES = ("assigned", "acknowledged", "verifying", "verified", "reopened")


def view(row):
    data = row._asdict()
    for key in ("handling_departments", "deadlines", "overdue_stages"):
        data[key] = json.loads(data[key])
    for column in DUES.values():
        data.pop(column)
    data.pop("institution_key")
    return data


def find(conn, complaint_id):
    row = conn.execute(select(complaints).where(complaints.c.id == complaint_id)).first()
    return view(row) if row else None


def search(conn, district=None, status=None, category=None, channel=None, escalated=None,
           department=None, page=1, per_page=50):
    c = complaints.c
    query = select(complaints)
    for column, value in ((c.district, district), (c.status, status), (c.category, category),
                          (c.channel, channel), (c.escalated, escalated)):
        if value is not None:
            query = query.where(column == value)
    if department:
        query = query.where(or_(c.lead_department == department,
                                c.handling_departments.contains(f'"{department}"')))
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar()
    rows = conn.execute(query.order_by(c.received_at.desc(), c.id)
                        .limit(per_page).offset((page - 1) * per_page))
    return {"items": [view(row) for row in rows], "total": total, "page": page,
            "per_page": per_page}


def open_duplicate(conn, district, category, institution_key, exclude):
    """The open case about the same institution and matter a new report joins."""
    if not institution_key:
        return None
    c = complaints.c
    return conn.execute(select(c.id).where(
        c.district == district, c.category == category, c.institution_key == institution_key,
        c.status.in_(OPEN_STATUSES), c.merged_into.is_(None), c.id != exclude)
        .order_by(c.received_at, c.id)).scalar()


def followers(conn, primary_id):
    return list(conn.execute(select(complaints.c.id).where(complaints.c.merged_into == primary_id)
                             .order_by(complaints.c.received_at)).scalars())


def with_passed_deadline(conn, now):
    """Ids of cases with a deadline at or before `now` (RFC 3339) not yet met or flagged."""
    c = complaints.c
    return list(conn.execute(select(c.id).where(
        c.status.in_(OPEN_STATUSES),
        or_(c.due_acknowledge <= now, c.due_verify <= now, c.due_answer <= now))).scalars())


def statistics(conn, district=None, since=None, until=None):
    """Counts per district, channel and category for the municipal office."""
    c = complaints.c
    answered = c.status.in_(("answered", "closed"))
    query = select(
        c.district, c.channel, c.category, func.count().label("received"),
        func.sum(case((c.status.in_(OPEN_STATUSES + ("received",)), 1), else_=0)).label("open"),
        func.sum(case((c.status == "merged", 1), else_=0)).label("merged"),
        func.sum(case((answered, 1), else_=0)).label("answered"),
        func.sum(case((c.substantiated == True, 1), else_=0)).label("substantiated"),  # noqa: E712
        func.sum(case((c.overdue_stages != "[]", 1), else_=0)).label("overdue"),
        func.sum(case((c.escalated == True, 1), else_=0)).label("escalated"),  # noqa: E712
        func.sum(c.reopen_count).label("reopened"),
    ).group_by(c.district, c.channel, c.category).order_by(c.district, c.channel, c.category)
    if district:
        query = query.where(c.district == district)
    if since:
        query = query.where(c.received_at >= since)
    if until:
        query = query.where(c.received_at < until)
    rows = [row._asdict() for row in conn.execute(query)]
    for row in rows:
        row.update({key: int(row[key] or 0) for key in COUNTS})
    return {"rows": rows, "totals": {key: sum(row[key] for row in rows) for key in COUNTS}}


def supervisors_in(conn, district=None):
    query = select(supervisors).order_by(supervisors.c.registered_at)
    if district:
        query = query.where(supervisors.c.district == district)
    return [row._asdict() for row in conn.execute(query)]


def supervisor(conn, supervisor_id):
    row = conn.execute(select(supervisors).where(supervisors.c.id == supervisor_id)).first()
    return row._asdict() if row else None


def recent(conn, ids=None, category=None, district=None, start=None, end=None, limit=1000):
    """Cases for Open311 GET requests: by ids, else by filters, newest first."""
    c = complaints.c
    query = select(complaints).order_by(c.received_at.desc(), c.id).limit(limit)
    if ids:
        return [view(row) for row in conn.execute(query.where(c.id.in_(ids)))]
    for column, value in ((c.category, category), (c.district, district)):
        if value:
            query = query.where(column == value)
    if start:
        query = query.where(c.received_at >= start)
    if end:
        query = query.where(c.received_at <= end)
    return [view(row) for row in conn.execute(query)]
