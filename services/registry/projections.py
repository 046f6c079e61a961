"""Registry read models: institutions with their licences and list status,
black-list entries, published list batches."""
import json

from sqlalchemy import (Boolean, Column, Index, Integer, MetaData, String, Table, Text, bindparam,
                        func, insert, select, update)

from shared import search as name_search
from shared.projections import Projection, fetch, handles, recalled, remember

metadata = MetaData()
institutions = Table(
    "institutions", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, index=True),
    Column("credit_code", String(18), nullable=False, index=True),
    Column("district", String(6), nullable=False, index=True),
    Column("category", String(20), nullable=False),
    Column("supervising_department", String(30), nullable=False),
    Column("address", String(300), nullable=False),
    Column("national_platform_id", String(60)),
    Column("status", String(12), nullable=False),
    Column("blacklisted", Boolean, nullable=False, default=False),
    Column("review_id", String(36)),
    Column("review_reason", Text),
    Column("review_opened_at", String(40)),
    Column("permit_until", String(10)),     # school_permit
    Column("operating_until", String(10)),  # the later of business_licence / npo_registration
    Column("licences", Text, nullable=False, default="{}"),
    Column("registered_at", String(40), nullable=False),
    Column("status_reason", Text),
)
Index("ix_institutions_district_name", institutions.c.district, institutions.c.name)
search_terms = name_search.terms_table(metadata)
blacklist_entries = Table(
    "blacklist_entries", metadata,
    Column("review_id", String(36), primary_key=True),
    Column("institution_id", String(36), nullable=False, index=True),
    Column("district", String(6), nullable=False),
    Column("reason", Text, nullable=False),
    Column("date", String(40), nullable=False),
    Column("outcome", Text, nullable=False),
)
list_batches = Table(
    "list_batches", metadata,
    Column("district", String(6), primary_key=True),
    Column("list", String(5), primary_key=True),
    Column("batch_no", Integer, primary_key=True),
    Column("published_on", String(10)),
    Column("institution_ids", Text, nullable=False),
    Column("filed", Boolean, nullable=False, default=False),
)


# Built once, executed with parameters: SQLAlchemy then compiles each once, and a
# rebuild sends them in batches (shared.projections.WriteBehind).
_INSERT_INSTITUTION = insert(institutions)
_LICENCES = select(institutions.c.licences).where(institutions.c.id == bindparam("_id"))
_UPDATE_INSTITUTION = update(institutions).where(institutions.c.id == bindparam("_id"))
_INSERT_BLACKLIST_ENTRY = insert(blacklist_entries)
_INSERT_BATCH = insert(list_batches)
_FILE_BATCH = update(list_batches).where(
    list_batches.c.district == bindparam("_district"), list_batches.c.list == bindparam("_list"),
    list_batches.c.batch_no == bindparam("_batch_no"))


class RegistryViews(Projection):
    NAME = "registry"
    VERSION = 2  # 2: search_terms and the (district, name) index
    metadata = metadata

    @handles("InstitutionRegistered")
    def registered(self, conn, event):
        data = event.data
        conn.execute(_INSERT_INSTITUTION, dict(
            id=data["institution_id"], name=data["name"], credit_code=data["credit_code"],
            district=data["district"], category=data["category"],
            supervising_department=data["supervising_department"], address=data["address"],
            national_platform_id=data.get("national_platform_id"), status="open",
            blacklisted=False, licences="{}", registered_at=event.meta.time))
        remember(conn, ("licences", data["institution_id"]), "{}")
        name_search.index(conn, search_terms, data["institution_id"], data["name"], new=True)

    @handles("LicenceRecorded", "LicenceExpired")
    def licence(self, conn, event):
        key = ("licences", event.institution_id)
        licences = json.loads(recalled(
            conn, key, lambda: fetch(conn, _LICENCES, {"_id": event.institution_id})[0][0]))
        if event.NAME == "LicenceRecorded":
            licences[event.kind] = {"number": event.number, "valid_until": event.valid_until,
                                    "expired": False}
        else:
            licences[event.kind]["expired"] = True
        operating = [licences[k]["valid_until"] for k in ("business_licence", "npo_registration")
                     if k in licences]
        text = json.dumps(licences, ensure_ascii=False)
        remember(conn, key, text)
        self._set(conn, event.institution_id, licences=text,
                  permit_until=licences.get("school_permit", {}).get("valid_until"),
                  operating_until=max(operating) if operating else None)

    @handles("InstitutionSuspended")
    def suspended(self, conn, event):
        self._set(conn, event.institution_id, status="suspended", status_reason=event.reason)

    @handles("InstitutionReinstated")
    def reinstated(self, conn, event):
        self._set(conn, event.institution_id, status="open", status_reason=None)

    @handles("InstitutionClosed")
    def closed(self, conn, event):
        self._set(conn, event.institution_id, status="closed", status_reason=event.reason)

    @handles("BlacklistReviewOpened")
    def review_opened(self, conn, event):
        self._set(conn, event.institution_id, review_id=event.review_id,
                  review_reason=event.reason, review_opened_at=event.meta.time)

    @handles("BlacklistReviewDecided")
    def review_decided(self, conn, event):
        blacklisted = event.decision == "blacklisted"
        self._set(conn, event.institution_id, review_id=None, review_reason=None,
                  review_opened_at=None, blacklisted=blacklisted)
        if blacklisted:
            conn.execute(_INSERT_BLACKLIST_ENTRY, dict(
                review_id=event.review_id, institution_id=event.institution_id,
                district=event.district, reason=event.reason, date=event.meta.time[:10],
                outcome=f"black-listed by {event.data.get('department') or 'the department'}"))

    @handles("ListBatchPublished")
    def batch_published(self, conn, event):
        conn.execute(_INSERT_BATCH, dict(
            district=event.district, list=event.list, batch_no=event.batch_no,
            published_on=event.data.get("published_on") or event.meta.time[:10],
            institution_ids=json.dumps(event.institution_ids), filed=False))

    @handles("ListFiled")
    def batch_filed(self, conn, event):
        conn.execute(_FILE_BATCH, {"_district": event.district, "_list": event.list,
                                   "_batch_no": event.batch_no, "filed": True})

    @staticmethod
    def _set(conn, institution_id, **values):
        conn.execute(_UPDATE_INSTITUTION, {"_id": institution_id, **values})


# -- queries ------------------------------------------------------------------
def _white(today):
    """True or false, never NULL: a missing licence date counts as expired, so that
    `~_white` keeps the institutions that hold no licence at all."""
    iso = today.isoformat()
    c = institutions.c
    return ((c.status == "open") & c.review_id.is_(None) & (c.blacklisted == False)  # noqa: E712
            & (func.coalesce(c.permit_until, "") >= iso)
            & (func.coalesce(c.operating_until, "") >= iso))


def _list_filter(list_status, today):
    c = institutions.c
    if list_status == "white":
        return _white(today)
    if list_status == "black":
        return c.blacklisted == True  # noqa: E712
    return (c.blacklisted == False) & ~_white(today)  # noqa: E712


def institution_view(row, today):
    licences = json.loads(row.licences)
    if row.blacklisted:
        list_status = "black"
    elif (row.status == "open" and row.review_id is None and row.permit_until
          and row.operating_until and min(row.permit_until, row.operating_until) >= today.isoformat()):
        list_status = "white"
    else:
        list_status = "none"
    return {
        "id": row.id, "name": row.name, "credit_code": row.credit_code,
        "district": row.district, "category": row.category,
        "supervising_department": row.supervising_department, "address": row.address,
        "national_platform_id": row.national_platform_id, "status": row.status,
        "status_reason": row.status_reason, "list_status": list_status,
        "licences": [dict(kind=kind, **value) for kind, value in sorted(licences.items())],
        "review": ({"review_id": row.review_id, "reason": row.review_reason,
                    "opened_at": row.review_opened_at} if row.review_id else None),
        "registered_at": row.registered_at,
    }


def find(conn, institution_id, today):
    row = conn.execute(_FIND, {"_id": institution_id}).first()
    return institution_view(row, today) if row else None


def by_credit_code(conn, credit_code):
    return conn.execute(_BY_CREDIT_CODE, {"credit_code": credit_code}).scalar()


# a registration's two reads (its check, its answer): built once, as the writes above
_FIND = select(institutions).where(institutions.c.id == bindparam("_id"))
_BY_CREDIT_CODE = select(institutions.c.id).where(
    institutions.c.credit_code == bindparam("credit_code"))


def search(conn, today, district=None, status=None, list_status=None, q=None, review=None,
           page=1, per_page=50):
    query = select(institutions)
    if review == "open":
        query = query.where(institutions.c.review_id.isnot(None))
    if district:
        query = query.where(institutions.c.district == district)
    if status:
        query = query.where(institutions.c.status == status)
    if list_status:
        query = query.where(_list_filter(list_status, today))
    if q:
        c = institutions.c
        query = query.where(name_search.matching(conn, search_terms, q, c.id, c.name,
                                                 c.credit_code))
    total = None
    if q and not (review or district or status or list_status):  # q alone: two characters
        total = name_search.count(conn, search_terms, q)  # are never a credit code (18)
    if total is None:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar()
    rows = conn.execute(query.order_by(institutions.c.name, institutions.c.id)
                        .limit(per_page).offset((page - 1) * per_page))
    return {"items": [institution_view(row, today) for row in rows], "total": total,
            "page": page, "per_page": per_page}


def list_members(conn, district, list_name, today):
    query = (select(institutions).where(institutions.c.district == district)
             .where(_list_filter(list_name, today)).order_by(institutions.c.name))
    members = [institution_view(row, today) for row in conn.execute(query)]
    if list_name == "black":
        entries = {}
        for entry in conn.execute(select(blacklist_entries)
                                  .where(blacklist_entries.c.district == district)
                                  .order_by(blacklist_entries.c.date)):
            entries[entry.institution_id] = {"reason": entry.reason, "date": entry.date,
                                             "outcome": entry.outcome}
        for member in members:
            member["blacklist_entry"] = entries.get(member["id"])
    return members


def batches(conn, district, list_name):
    rows = conn.execute(select(list_batches).where(
        list_batches.c.district == district, list_batches.c.list == list_name)
        .order_by(list_batches.c.batch_no))
    return [{"district": r.district, "list": r.list, "batch_no": r.batch_no,
             "published_on": r.published_on, "institution_ids": json.loads(r.institution_ids),
             "filed": r.filed} for r in rows]


def with_unflagged_expiry(conn, today):
    """Ids of institutions holding a licence past its date and not yet flagged."""
    iso = today.isoformat()
    rows = conn.execute(select(institutions.c.id, institutions.c.licences)
                        .where(institutions.c.status != "closed"))
    return [row.id for row in rows
            if any(not lic["expired"] and lic["valid_until"] < iso
                   for lic in json.loads(row.licences).values())]
