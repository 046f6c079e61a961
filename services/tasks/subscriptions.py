"""What tasks reacts to: each reaction mirrors a fact (mirror.py) and settles the
district it concerns in the same unit of work, so the fact, any TaskCompleted it
causes and the inbox record commit together."""
import json

from shared import directory

from . import mirror, policies
from . import projections as views
from .domain import DistrictCampaign, Plan


# -- registry: denominators (institutions), the white list, task 2 -----------------
def institution_changed(uow, event):
    """Registered, suspended, reinstated, closed, black-listed or cleared: the directory
    (shared.directory), then the district's measures."""
    record(uow, event, event.data.get("district"), lambda c: directory.record(uow, event))


def list_batch_published(uow, event):
    ids = json.dumps(sorted(event.data.get("institution_ids") or []))
    record(uow, event, event.data["district"], lambda c: mirror.list_step(
        c, event.data, published_at=_at(event), institution_ids=ids))


def list_filed(uow, event):
    record(uow, event, event.data["district"],
           lambda c: mirror.list_step(c, event.data, filed_at=_at(event)))


# -- disclosure: lists on the website (task 2), exposed cases (task 8) ------------------
def list_published(uow, event):
    record(uow, event, event.data["district"],
           lambda c: mirror.list_step(c, event.data, disclosed_at=_at(event)))


def case_exposed(uow, event):
    def exposed(conn):
        mirror.case_exposed(conn, event.data, _at(event))
        if (event.data.get("decision") or {}).get("by_hand"):
            mirror.case_found(conn, "CaseExposed", event.data, _at(event))
    record(uow, event, event.data.get("district"), exposed)


def case_withdrawn(uow, event):
    record(uow, event, None, lambda c: mirror.case_withdrawn(c, event.data))


# -- inspection: tasks 3, 6, 7 and cases found (task 8) ---------------------------------
def inspection_completed(uow, event):
    record(uow, event, event.data["district"],
           lambda c: mirror.inspection_completed(c, event.data, _at(event)))


def rectification_ordered(uow, event):
    record(uow, event, event.data.get("district"), lambda c: mirror.rectification(c, event.data))


def rectification_verified(uow, event):
    record(uow, event, event.data.get("district"),
           lambda c: mirror.rectification(c, event.data, verified=True))


def case_found(uow, event):
    """A hazard, an unlicensed operation, a major/critical finding of another kind
    (prepaid fees, advertising…) or a substantiated complaint is a case (task 8)."""
    if event.name in ("FindingRecorded", "ComplaintVerified") and not policies.violation_case_key(
            event.name, event.data):
        return
    record(uow, event, event.data["district"],
           lambda c: mirror.case_found(c, event.name, event.data, _at(event)))


SUBSCRIPTIONS = {
    **directory.SUBSCRIPTIONS,                 # licences: the directory only
    ("registry", "InstitutionRegistered"): institution_changed,
    ("registry", "InstitutionSuspended"): institution_changed,
    ("registry", "InstitutionReinstated"): institution_changed,
    ("registry", "InstitutionClosed"): institution_changed,
    ("registry", "BlacklistReviewDecided"): institution_changed,
    ("registry", "ListBatchPublished"): list_batch_published,
    ("registry", "ListFiled"): list_filed,
    ("disclosure", "ListPublished"): list_published,
    ("disclosure", "CaseExposed"): case_exposed,
    ("disclosure", "CaseWithdrawn"): case_withdrawn,
    ("inspection", "InspectionCompleted"): inspection_completed,
    ("inspection", "RectificationOrdered"): rectification_ordered,
    ("inspection", "RectificationVerified"): rectification_verified,
    ("inspection", "HazardFound"): case_found,
    ("inspection", "UnlicensedOperationFound"): case_found,
    ("inspection", "FindingRecorded"): case_found,
    ("complaints", "ComplaintVerified"): case_found,
}


# -- settling a district ------------------------------------------------------------------
def record(uow, event, district, write):
    """Mirror one fact, then settle its district in every campaign that has it."""
    district = write(uow.conn) or district
    if policies.concerns_districts(district):
        for data in views.all_campaigns(uow.conn):
            plan = Plan(data)
            if district in plan.districts:
                settle(uow, plan, district, event.now, event.replaying)


def settle(uow, plan, district, now, replaying, part=None):
    """Histories of several services come in side by side at a catch-up: a share
    measured then (the inspections in, half the institutions not yet) would complete
    a task for good, so settling waits for the check after it."""
    if replaying:
        return
    stream = DistrictCampaign.stream_id(plan.id, district)
    part = part or uow.get(DistrictCampaign, stream) or DistrictCampaign(stream)
    measured = plan.measure_all(mirror.facts(uow.conn, plan.id, district, plan.since()))
    part.settle(plan, district, measured, plan.today(now))
    uow.save(part)


def _at(event):
    return policies.fact_time(event.attrs, event.now)
