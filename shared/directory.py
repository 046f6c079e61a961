"""The institution directory: what the registry says about each institution, as the
services that follow it keep it (a projection of the registry's events in their log
order, docs/decisions/0015-one-institution-directory.md).

Each follower keeps the table in its own database (`metadata` among its store's tables)
and lists `SUBSCRIPTIONS` in its subscription table (a row of its own may call
`record(uow, event)` first, then react). A follower that finds institutions by a part of
their name (`matching`) keeps `names` among its tables too: the pairs of characters of
each name, ~16 rows a registration, written only where they are read (they were a third
of a follower's catch-up, bench/README.md). `otg projections rebuild SERVICE` refills
both from the registry's `/events` feed (a follower that starts to keep `names` is
filled so).
"""
import json
import unicodedata

import requests
from sqlalchemy import (Boolean, Column, Index, MetaData, String, Table, Text, bindparam, delete,
                        insert, inspect, select, update)

from shared import auth, config, search
from shared.envelope import event_name
from shared.fastread import execute

metadata = MetaData()
institutions = Table(
    "directory_institutions", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("norm_name", String(200), nullable=False, index=True),   # normalize_name(name)
    Column("credit_code", String(18), index=True),                  # upper case
    Column("district", String(6), nullable=False, index=True),
    Column("category", String(20)),
    Column("supervising_department", String(30)),
    Column("address", String(300), nullable=False, default=""),
    Column("status", String(12), nullable=False, default="open"),   # open|suspended|closed
    Column("status_since", String(40)),                             # time of the status event
    Column("licences", Text, nullable=False, default="{}"),         # {kind: {number, valid_until,
                                                                    #         expired}}
    Column("blacklisted", Boolean, nullable=False, default=False),  # the last review's decision
)
# a search's page walks the names in order (shared.search: a dense pair such as 学校)
Index("ix_directory_institutions_name_id", institutions.c.name, institutions.c.id)
# the pairs of characters of every name (shared.search): finding a name by a part of it
names = MetaData()
terms = search.terms_table(names, "directory_search_terms")
STATUS_AFTER = {"InstitutionSuspended": "suspended", "InstitutionReinstated": "open",
                "InstitutionClosed": "closed"}


def normalize_name(name):
    """An institution's name as compared: full-width folded to half-width, case folded,
    spaces, brackets and other punctuation dropped (海星（艺术）培训 == 海星(艺术) 培训)."""
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(ch for ch in folded if ch.isalnum())


# -- writing: one function per registry event, in the registry's order -------------------
# Built once, with bind parameters, and run on the DB-API cursor (shared.fastread): SQLAlchemy's
# building, cache-keying and executing of a statement cost more than SQLite's work, and a
# catch-up applies thousands of events a page.
_DELETE = delete(institutions).where(institutions.c.id == bindparam("institution_id"))
_INSERT = insert(institutions)
_LICENCES = select(institutions.c.licences).where(institutions.c.id == bindparam("institution_id"))
# SET: the columns given with the id
_UPDATE = update(institutions).where(institutions.c.id == bindparam("institution_id"))


def registered(conn, data, attrs):
    """A new row. Applied again (a rebuild read it from the feed while it still waited
    on the stopped follower's queue), it starts the row over: the events after it
    follow it in the registry's order, so the row ends as the feed left it."""
    institution_id = data["institution_id"]
    execute(conn, _DELETE, {"institution_id": institution_id})
    execute(conn, _INSERT, {
        "id": institution_id, "name": data.get("name") or "",
        "norm_name": normalize_name(data.get("name")),
        "credit_code": (data.get("credit_code") or "").upper() or None,
        "district": data.get("district") or "", "category": data.get("category"),
        "supervising_department": data.get("supervising_department"),
        "address": data.get("address") or "", "status": "open", "status_since": None,
        "licences": "{}", "blacklisted": False})


def licence_recorded(conn, data, attrs):
    _licence(conn, data, number=data.get("number"), valid_until=data.get("valid_until"),
             expired=False)


def licence_expired(conn, data, attrs):
    _licence(conn, data, expired=True)


def _licence(conn, data, **values):
    licences = json.loads(execute(conn, _LICENCES, {"institution_id": data["institution_id"]})
                          or "{}")
    licences.setdefault(data["kind"], {}).update(values)
    _set(conn, data, licences=json.dumps(licences, ensure_ascii=False))


def status_changed(conn, data, attrs, name):
    """Suspended, reinstated or closed (`name`), since the event's time."""
    _set(conn, data, status=STATUS_AFTER[name], status_since=attrs.get("time"))


def review_decided(conn, data, attrs):
    _set(conn, data, blacklisted=data.get("decision") == "blacklisted")


def _set(conn, data, **values):
    execute(conn, _UPDATE, {"institution_id": data["institution_id"], **values})


def apply(conn, name, data, attrs, *, indexed=False):
    """Apply one registry event (by name) to the directory; other events change nothing.
    `indexed`: the follower keeps `names` (a registration's name is indexed again)."""
    if name in STATUS_AFTER:
        status_changed(conn, data, attrs, name)
    elif name in WRITERS:
        WRITERS[name](conn, data, attrs)
        if indexed and name == "InstitutionRegistered":
            search.index(conn, terms, data["institution_id"], data.get("name"))


WRITERS = {"InstitutionRegistered": registered, "LicenceRecorded": licence_recorded,
           "LicenceExpired": licence_expired, "BlacklistReviewDecided": review_decided}
EVENTS = tuple(WRITERS) + tuple(STATUS_AFTER)


def record(uow, event):
    """The subscription of a follower: the registry's event into its directory."""
    apply(uow.conn, event.name, event.data, event.attrs, indexed=indexed(uow.store))


def indexed(store):
    """The follower of `store` finds institutions by a part of their name."""
    return names in store.tables


SUBSCRIPTIONS = {("registry", name): record for name in EVENTS}


# -- rebuilding from the registry's feed ---------------------------------------------------
def rebuild(conn, feed, *, indexed):
    """Empty the directory (and its `names` if `indexed`) and apply `feed` (the
    registry's events as its `/events` feed gives them: CloudEvents dicts with `type`
    and `data`), in order; how many."""
    conn.execute(delete(institutions))
    if indexed:
        conn.execute(delete(terms))
    count = 0
    for event in feed:
        apply(conn, event_name(event), event.get("data") or {}, event, indexed=indexed)
        count += 1
    return count


FILLED = "directory:registry"  # the follower's cursor: the registry position last rebuilt to


def fill_once(store, follower, consumers, followed_to=0):
    """Fill, from the registry's feed, a directory that never was (a follower upgraded to
    it: the inbox of its `consumers` of the registry holds the registrations already, or
    its follow cursor is past them (`followed_to`), so its catch-up would skip them).
    Called before the follower's catch-up of the registry; events applied again after it
    come in the registry's order, so the rows end as the feed leaves them. A new follower
    (an empty inbox, no cursor) is filled by its catch-up alone: its cursor at 0 says so,
    so that no later start fills it again."""
    if store.cursor(FILLED, None) is not None or not inspect(store.engine).has_table(
            institutions.name):
        return
    if not followed_to and not store.handled_any(consumers):
        store.set_cursor(FILLED, 0)
        return
    refill(store, list(registry_feed(follower)))


def refill(store, feed):
    """Rebuild the directory of `store` from `feed` (the registry's events, oldest first)
    in one transaction, and mark the position it reached; how many events."""
    last = {}

    def noting(events):
        for event in events:
            last["position"] = event["position"]
            yield event
    with store.writing() as conn:
        count = rebuild(conn, noting(feed), indexed=indexed(store))
    if last:
        store.set_cursor(FILLED, int(last["position"]))
    return count


def registry_feed(follower, page=500):
    """The registry's events the directory follows, read from its `/events` feed
    (`OTG_REGISTRY_URL`) with a token of `follower`, oldest first."""
    types = [f"registry.{name}" for name in EVENTS]
    headers = {"Authorization": f"Bearer {auth.issue_service(follower, types)}"}
    url, after = f"{config.service_url('registry')}/events", 0
    while True:
        answer = requests.get(url, headers=headers, timeout=30, params={
            "after": after, "limit": page, "types": ",".join(EVENTS)})
        answer.raise_for_status()
        batch = answer.json()
        if not batch:
            return
        yield from batch
        after = int(batch[-1]["position"])


# -- reading ------------------------------------------------------------------------------
def institution(conn, institution_id):
    """The institution as a dict (licences decoded), or None."""
    if not institution_id:
        return None
    row = conn.execute(select(institutions).where(institutions.c.id == institution_id)).first()
    return _entry(row) if row else None


def by_credit_code(conn, credit_code):
    if not credit_code:
        return None
    row = conn.execute(select(institutions).where(
        institutions.c.credit_code == credit_code.upper())).first()
    return _entry(row) if row else None


def matching(conn, q):
    """A condition: the name holds `q`, or the credit code is `q` (decision 0014)."""
    c = institutions.c
    return search.matching(conn, terms, q, c.id, c.name, c.credit_code)


def by_name(conn, name, district=None):
    """The institutions whose normalised name equals `name`'s (in `district`)."""
    query = select(institutions).where(institutions.c.norm_name == normalize_name(name))
    if district:
        query = query.where(institutions.c.district == district)
    return [_entry(row) for row in conn.execute(query.order_by(institutions.c.id))]


def _entry(row):
    entry = row._asdict()
    entry["licences"] = json.loads(entry["licences"] or "{}")
    return entry
