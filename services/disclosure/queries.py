"""What the public site reads: cases, list batches with their entries, the
institution search, notices and report statistics (read-only queries)."""
import json
from functools import lru_cache

from sqlalchemy import Integer, bindparam, case, func, select

from shared.directory import institutions

from . import render, standing
from .domain import derived_id, redact
from .search import institutions as institutions_matching
from .projections import (case_history, cases, m_complaints, notices,
                          published_batches, published_members)

LISTS = ("white", "black")


# -- cases ------------------------------------------------------------------------------------
def _case(row, statuses):
    corrections = json.loads(row.corrections)
    view = {k: getattr(row, k) for k in (
        "case_id", "kind", "district", "institution_id", "credit_code", "category",
        "source_event_id", "found_at", "exposed_at", "seconds_to_publish", "updated_at",
        "status", "withdrawn_reason")}
    view.update(institution_name=corrections.get("institution_name", row.institution_name),
                address=corrections.get("address", row.address),
                finding=json.loads(row.finding), decision=json.loads(row.decision),
                outcomes=json.loads(row.outcomes), corrected=bool(corrections),
                summary=corrections.get("summary"), decision_text=corrections.get("decision"),
                department=corrections.get("department"),
                standing=statuses.get(row.institution_id))
    view["institution_status"] = (view["standing"] or {}).get("state")
    return view


def _statuses(conn, institution_ids):
    return standing.standings(conn, institution_ids)


def case_list(conn, district=None, kind=None, institution_id=None, include_withdrawn=False,
              page=1, per_page=20):
    query = select(cases)
    if district:
        query = query.where(cases.c.district == district)
    if kind:
        query = query.where(cases.c.kind == kind)
    if institution_id:
        query = query.where(cases.c.institution_id == institution_id)
    if not include_withdrawn:
        query = query.where(cases.c.status == "published")
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar()
    rows = conn.execute(query.order_by(cases.c.exposed_at.desc(), cases.c.case_id)
                        .limit(per_page).offset((page - 1) * per_page)).all()
    statuses = _statuses(conn, [r.institution_id for r in rows])
    return {"items": [_case(r, statuses) for r in rows], "total": total, "page": page,
            "per_page": per_page}


def case_detail(conn, case_id):
    row = conn.execute(select(cases).where(cases.c.case_id == case_id)).first()
    if row is None:
        return None
    view = _case(row, _statuses(conn, [row.institution_id]))
    history = conn.execute(select(case_history).where(case_history.c.case_id == case_id)
                           .order_by(case_history.c.id))
    view["history"] = [{"at": h.at, "action": h.action, **json.loads(h.detail)} for h in history]
    return view


# -- lists ------------------------------------------------------------------------------------
def _batch(row):
    return {"district": row.district, "list": row.list, "batch_no": row.batch_no,
            "published_on": row.published_on, "published_at": row.published_at,
            "institution_ids": list(_members(row.institution_ids))}


@lru_cache(maxsize=1024)
def _members(institution_ids):
    """A published batch's ids, parsed once per text: a batch never changes (a new one
    gets a new number), and a district's is read on every page that names it."""
    return tuple(dict.fromkeys(json.loads(institution_ids)))  # once each, as the members


@lru_cache(maxsize=1024)
def _member_set(institution_ids):
    return frozenset(_members(institution_ids))


def batches(conn, district, list_name):
    rows = conn.execute(select(published_batches).where(
        published_batches.c.district == district, published_batches.c.list == list_name)
        .order_by(published_batches.c.batch_no.desc()))
    return [_batch(r) for r in rows]


def latest_batches(conn, list_name, district=None):
    """The newest batch of `list_name` per district (one district, or all)."""
    return _newest(conn, [list_name], None if district is None else [district])


def _newest(conn, list_names, districts=None):
    """The newest batch of each of `list_names` per district (of `districts`, or all)."""
    return [_batch(r) for r in _newest_rows(conn, list_names, districts)]


def _newest_rows(conn, list_names, districts=None):
    params = {"lists": list(list_names)}
    if districts is None:
        return conn.execute(_NEWEST, params).all()
    return conn.execute(_NEWEST_OF, {**params, "districts": list(districts)}).all()


def _newest_statement(of_districts):
    t = published_batches
    newest = select(t.c.district, t.c.list, func.max(t.c.batch_no).label("batch_no")).where(
        t.c.list.in_(bindparam("lists", expanding=True)))
    if of_districts:
        newest = newest.where(t.c.district.in_(bindparam("districts", expanding=True)))
    newest = newest.group_by(t.c.district, t.c.list).subquery()
    return select(t).join(newest, (t.c.district == newest.c.district) & (
        t.c.list == newest.c.list) & (t.c.batch_no == newest.c.batch_no)).order_by(
        t.c.district, t.c.list)


_NEWEST, _NEWEST_OF = _newest_statement(False), _newest_statement(True)


LIST_PAGE = 100  # entries of a list on a page (the CSV and the JSON API hold them all)


def with_entries(conn, batch, page=None, per_page=LIST_PAGE):
    """A batch with the fields bureaus publish for each institution in it, choosable
    ones first, then by name; with `page`, that page's entries only, and how many."""
    ids = batch["institution_ids"]
    if page is not None:
        batch = {**batch, "count": len(ids), "page": page, "offset": (page - 1) * per_page,
                 "pages": max(1, -(-len(ids) // per_page))}
        ids = _page_of(conn, batch, batch["offset"], per_page)
    found = standing.directory_rows(conn, ids)
    rows = {r.id: r for r in found}
    decisions = _blacklistings(conn, ids) if batch["list"] == "black" else {}
    now = standing.standings(conn, ids, found)
    entries = []
    for institution_id in ids:
        row = rows.get(institution_id)
        licences = json.loads(row.licences) if row else {}
        entry = {"institution_id": institution_id, "name": row.name if row else "",
                 "licence_number": licences.get("school_permit", {}).get("number"),
                 "credit_code": row.credit_code if row else None,
                 "address": row.address if row else "", "category": row.category if row else None,
                 "status": row.status if row else None,
                 "standing": now.get(institution_id)}
        entry["choosable"] = batch["list"] == "white" and (entry["standing"] or {}).get(
            "choosable", True)
        if batch["list"] == "black":
            entry.update(decisions.get(institution_id, {"reason": None, "date": None,
                                                        "outcome": None}))
        entries.append(entry)
    entries.sort(key=lambda e: (not e["choosable"], e["name"], e["institution_id"]))
    return {**batch, "entries": entries}


def _page_of(conn, batch, offset, limit):
    """The ids of one page of a batch's entries, in the order they are shown (choosable
    ones first on a white list, then by name as Python compares them), sorted by the
    database: a district's list at a province's size is thousands of entries."""
    return conn.execute(_page_statement(conn.dialect.name, batch["list"] == "white"), {
        "district": batch["district"], "list": batch["list"], "batch_no": batch["batch_no"],
        "offset": offset, "limit": limit}).scalars().all()


@lru_cache(maxsize=None)
def _page_statement(dialect, white):
    m, d = published_members.c, institutions
    name, institution_id = func.coalesce(d.c.name, ""), m.institution_id
    if dialect == "postgresql":  # code-point order, as SQLite and Python compare
        name, institution_id = name.collate("C"), institution_id.collate("C")
    order = [name, institution_id]
    if white:
        order.insert(0, case((standing.no_choice(d, m.institution_id), 1), else_=0))
    return (select(m.institution_id)
            .select_from(published_members.outerjoin(d, d.c.id == m.institution_id))
            .where(m.district == bindparam("district"), m.list == bindparam("list"),
                   m.batch_no == bindparam("batch_no"))
            .order_by(*order).offset(bindparam("offset")).limit(bindparam("limit")))


def district_view(conn, district):
    """A district page's lists (the newest batch of each, with entries) and cases."""
    view = {}
    for name in LISTS:
        newest = latest_batches(conn, name, district)
        view[name] = (with_entries(conn, newest[0], page=1) if newest else
                      {"list": name, "district": district, "batch_no": None, "entries": []})
    view["cases"] = case_list(conn, district=district, per_page=10)["items"]
    return view


def no_choice_count(conn, batch):
    """How many institutions of a batch are no choice today."""
    now = standing.standings(conn, batch["institution_ids"])
    return sum(1 for s in now.values() if not s["choosable"])


def _blacklistings(conn, ids):
    rows = conn.execute(standing.BLACKLISTINGS, {"ids": list(ids)}) if ids else []
    return {r.institution_id: {"reason": redact(r.decision_reason), "date": (r.decided_at or "")[:10],
                               "outcome": "blacklisted", "department": r.department}
            for r in rows}


def list_statuses(conn, districts=None, ids=None):
    """institution id -> 'white' | 'black' by the newest published batches (of
    `districts`, or of all; of `ids`, or of everyone in them): black wins."""
    status = {}
    for row in _newest_rows(conn, LISTS, districts):
        members = _members(row.institution_ids) if ids is None else (
            _member_set(row.institution_ids) & ids)
        for institution_id in members:
            if status.get(institution_id) != "black":
                status[institution_id] = row.list
    return status


# -- search, notices, reporting ---------------------------------------------------------------
def search(conn, q, district=None, page=1, per_page=20):
    """A page of institutions found by name or credit code; only the found ones' lists
    and standings are read."""
    found, more = institutions_matching(conn, q, district, page, per_page)
    ids = [i["id"] for i in found]
    statuses = list_statuses(conn, sorted({i["district"] for i in found}), frozenset(ids))
    open_cases = _case_counts(conn, ids)
    now = standing.standings(conn, ids)
    items = []
    for i in found:
        licences = json.loads(i["licences"])
        items.append({
            "institution_id": i["id"], "name": i["name"], "credit_code": i["credit_code"],
            "district": i["district"], "category": i["category"], "address": i["address"],
            "licence_number": licences.get("school_permit", {}).get("number"),
            "status": i["status"], "standing": now[i["id"]],
            "list": _list_now(statuses.get(i["id"], "none"), now[i["id"]]),
            "published_list": statuses.get(i["id"], "none"),
            "cases": open_cases.get(i["id"], 0)})
    return {"items": items, "page": page, "per_page": per_page, "more": more}


def _list_now(published, now):
    """Black-listed since the last batch counts as black already; a white-listed
    institution that is no choice now keeps `white` with its standing beside it."""
    return "black" if now["state"] == "blacklisted" else published


def _case_counts(conn, ids):
    if not ids:
        return {}
    return dict(conn.execute(_CASE_COUNTS, {"ids": list(ids)}).all())


_CASE_COUNTS = (select(cases.c.institution_id, func.count())
                .where(cases.c.institution_id.in_(bindparam("ids", expanding=True)),
                       cases.c.status == "published")
                .group_by(cases.c.institution_id))


def notice_list(conn, district=None, limit=100):
    query = select(notices).order_by(notices.c.published_at.desc()).limit(limit)
    if district:
        query = query.where(notices.c.district == district)
    return [{"notice_id": r.notice_id, "district": r.district, "kind": r.kind,
             "reasons": json.loads(r.reasons), "named_on": r.named_on,
             "campaign_id": r.campaign_id, "published_at": r.published_at}
            for r in conn.execute(query)]


def complaint_counts(conn):
    """district -> {received, answered}: how many reports came in and got an answer."""
    c = m_complaints.c
    rows = conn.execute(select(c.district, func.count(), func.sum(c.answered.cast(Integer)))
                        .group_by(c.district))
    return {d: {"received": n, "answered": int(a or 0)} for d, n, a in rows if d}


def case_ids_of(conn, institution_id, kinds=None):
    """Published (not withdrawn) cases of an institution, for later outcomes."""
    query = select(cases.c.case_id).where(cases.c.institution_id == institution_id,
                                          cases.c.status == "published")
    if kinds:
        query = query.where(cases.c.kind.in_(kinds))
    return list(conn.execute(query).scalars())


def list_view(conn, list_name, district=None, batch_no=None, page=None):
    """The newest batch per district (or one district's batch `batch_no`) with entries
    (all, or a `page` of each)."""
    if district and batch_no:
        chosen = [b for b in batches(conn, district, list_name) if b["batch_no"] == batch_no]
    else:
        chosen = latest_batches(conn, list_name, district)
    history = ([{"batch_no": b["batch_no"], "published_on": b["published_on"]}
                for b in batches(conn, district, list_name)] if district else None)
    full = [with_entries(conn, b, page) for b in chosen]
    for batch in full:
        batch["institutions"] = batch.pop("entries")
    return {"list": list_name, "district": district, "batches": full, "history": history}


def feed_entries(conn, limit=50):
    """Cases (withdrawn ones say so) and notices, newest change first."""
    entries = []
    for item in case_list(conn, include_withdrawn=True, per_page=limit)["items"]:
        prefix = "【已撤回】" if item["status"] == "withdrawn" else ""
        entries.append({"id": item["case_id"], "path": f"/cases/{item['case_id']}",
                        "title": f"{prefix}{item['institution_name']}：{render.label(item['kind'], 'kind')}",
                        "summary": f"{render.finding_text(item)} 处理：{render.decision_text(item)}",
                        "published": item["exposed_at"], "updated": item["updated_at"],
                        "category": "case"})
    entries += _standing_entries(conn)
    for notice in notice_list(conn, limit=limit):
        name = render.label(notice["district"], "district")
        entries.append({"id": notice["notice_id"], "path": "/notices", "title": f"关于{name}的通报",
                        "summary": "；".join(notice["reasons"]), "published": notice["published_at"],
                        "updated": notice["published_at"], "category": "notice"})
    entries.sort(key=lambda e: e["updated"], reverse=True)
    return entries[:limit]


def _standing_entries(conn):
    """Institutions of a current white list that are no choice any more, as of when."""
    for batch in latest_batches(conn, "white"):
        district = render.label(batch["district"], "district")
        for entry in with_entries(conn, batch)["entries"]:
            now = entry["standing"]
            if entry["choosable"] or not now:
                continue
            why = f"（{now['reason']}）" if now["reason"] else ""
            yield {"id": derived_id("standing", f"{entry['institution_id']}:{now['state']}:{now['at']}"),
                   "path": f"/districts/{batch['district']}#white",
                   "title": f"【白名单机构目前不可报名】{entry['name']}：{now['label']}",
                   "summary": f"{district}白名单第 {batch['batch_no']} 批所列机构{entry['name']}"
                              f"自 {now['since'] or '—'} 起{now['label']}{why}，请暂勿报名。",
                   "published": now["at"] or batch["published_at"],
                   "updated": now["at"] or batch["published_at"], "category": "standing"}
