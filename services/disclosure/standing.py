"""An institution's current standing, shown beside what a published batch said.

A batch is archived as it was published; a parent must still never read a suspended,
black-listed, stopped or closed institution as a choice. The standing is built from
the registry's and inspection's events (the mirror), newest state first:
closed > black-listed > ordered to stop (unlicensed operation) > suspended > open."""
from datetime import datetime

from sqlalchemy import and_, bindparam, or_, select

from shared.clock import local_date
from shared.directory import institutions

from .domain import redact
from .projections import m_reviews, m_status_reasons, m_unlicensed

LABELS = {"open": "正常经营", "suspended": "停业整改中", "closed": "已关停",
          "blacklisted": "已列入黑名单", "ordered_to_stop": "责令停止办学"}
HAZARD_REASON = "hazard found in inspection"
UNLICENSED_REASON = "operating without the required licences"


def standings(conn, institution_ids, rows=None):
    """institution id -> standing, for every id the registry told us about (`rows`: their
    mirror rows, when the caller has read them already)."""
    ids = sorted({i for i in institution_ids if i})
    if not ids:
        return {}
    if rows is None:
        rows = directory_rows(conn, ids)
    not_open = [row.id for row in rows if row.status != "open"]  # only these show a reason
    reasons = _by_id(conn, _REASONS, not_open)
    blacklistings = _by_id(conn, BLACKLISTINGS, ids)
    stops = _by_id(conn, _STOPS, ids)
    return {row.id: standing(row, reasons.get(row.id), blacklistings.get(row.id),
                             stops.get(row.id)) for row in rows}


def directory_rows(conn, ids):
    """The directory's rows of `ids` (the institutions the registry told us of)."""
    return conn.execute(_ROWS, {"ids": list(ids)}).all() if ids else []


# Built once, the ids an expanding parameter: a page's hundred ids are not each coerced
# into a statement built anew
def _of(table, *where, order=None):
    query = select(table).where(table.c.institution_id.in_(bindparam("ids", expanding=True)),
                                *where)
    return query if order is None else query.order_by(order)


_ROWS = select(institutions).where(institutions.c.id.in_(bindparam("ids", expanding=True)))
_REASONS = _of(m_status_reasons)
BLACKLISTINGS = _of(m_reviews, m_reviews.c.decision == "blacklisted", order=m_reviews.c.decided_at)
_STOPS = _of(m_unlicensed, order=m_unlicensed.c.found_at)


def no_choice(directory, institution_id):
    """`standing(...)["choosable"]` is false, as a condition in SQL on the directory's row
    (`directory`, outer-joined: an institution the registry never told us of is a choice
    as far as we know) — so that a list can be sorted, and paged, by the database."""
    blacklisted = select(m_reviews.c.review_id).where(
        m_reviews.c.institution_id == institution_id, m_reviews.c.decision == "blacklisted")
    stopped = select(m_unlicensed.c.event_id).where(m_unlicensed.c.institution_id == institution_id)
    return and_(directory.c.id.is_not(None), or_(
        directory.c.status != "open", directory.c.blacklisted, blacklisted.exists(),
        stopped.exists()))


def standing(row, reason, blacklisting, stop):
    """{state, label, since (a date), at (the time), reason, choosable} for one institution."""
    if row.status == "closed":
        state, since, why = "closed", row.status_since, _reason(reason)
    elif row.blacklisted or blacklisting:
        state = "blacklisted"
        since = blacklisting.decided_at if blacklisting else row.status_since
        why = _reason(blacklisting.decision_reason if blacklisting else None)
    elif stop:
        state, since, why = "ordered_to_stop", stop.found_at, "无证办学"
    elif row.status == "suspended":
        state, since, why = "suspended", row.status_since, _reason(reason)
    else:
        state, since, why = "open", None, None
    return {"state": state, "label": LABELS[state], "since": _day(since),
            "at": since, "reason": why, "choosable": state == "open"}


def _day(instant):
    """The local (Beijing) date of an RFC 3339 time, as the lists' batch dates are."""
    try:
        return local_date(datetime.fromisoformat(instant.replace("Z", "+00:00"))).isoformat()
    except (AttributeError, ValueError):
        return None


def _reason(row_or_text):
    text = getattr(row_or_text, "reason", row_or_text)
    if not text:
        return None
    if text.startswith(HAZARD_REASON):
        return "检查发现安全隐患，责令停业整改"
    if text.startswith(UNLICENSED_REASON):
        return "无证办学"
    return redact(text)


def _by_id(conn, statement, ids):
    """The newest row per institution (by the statement's order), or the only one."""
    if not ids:
        return {}
    return {row.institution_id: row for row in conn.execute(statement, {"ids": list(ids)})}
