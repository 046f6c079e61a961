"""What disclosure reacts to: the facts a public case shows (registry, inspection,
complaints) and the notices of tasks. A case that shows facts of more than one source
waits for them in one process manager below ("exposing cases"), and is exposed by
whichever reaction brings the last one. Each source arrives in its own order, so a
case waits only for facts of another source:

- hazard case (`expose_hazard`): the hazard (inspection) and the suspension it caused
  (registry);
- unlicensed and violation cases (`expose_waiting`): the registration (registry) of
  the institution a finding or complaint names;
- black-list case (`review_decided`): the hazard (inspection) its review came from.

The institutions are the registry's directory (shared.directory): each registry row
below records the event there first."""
from shared import directory, violations
from shared.subscriptions import before, when

from . import lookups, mirror, policies, queries
from .domain import Case, Notice, PublishedLists


# -- registry ---------------------------------------------------------------------------
def institution_registered(uow, event):
    directory.record(uow, event)
    expose_waiting(uow, event, institution_id=event.data["institution_id"])  # findings, complaints


def institution_suspended(uow, event):
    directory.record(uow, event)
    mirror.status_changed(uow.conn, event.data, "suspended")
    mirror.suspension_recorded(uow.conn, event.data, event.attrs)
    if event.data.get("source_event_id"):
        expose_hazard(uow, event, event.data["source_event_id"])


def institution_reinstated(uow, event):
    directory.record(uow, event)
    mirror.status_changed(uow.conn, event.data, "open")
    record_outcomes(uow, event, "reinstated", ("hazard_suspension",))


def institution_closed(uow, event):
    directory.record(uow, event)
    mirror.status_changed(uow.conn, event.data, "closed")
    record_outcomes(uow, event, "closed")


def blacklist_review_opened(uow, event):
    mirror.review_opened(uow.conn, event.data, event.attrs)


def blacklist_review_decided(uow, event):
    directory.record(uow, event)
    mirror.review_decided(uow.conn, event.data, event.attrs)
    review_decided(uow, event, event.data, event.attrs)


def list_batch_published(uow, event):
    """A new registry batch is republished on the site at once."""
    data = event.data
    stream = PublishedLists.stream_id(data["district"], data["list"])
    lists = uow.get(PublishedLists, stream) or PublishedLists(stream)
    lists.publish(data["district"], data["list"], data["batch_no"],
                  data.get("institution_ids") or [], data.get("published_on"), event.id)
    uow.save(lists)


# -- inspection -------------------------------------------------------------------------
def inspection_scheduled(uow, event):
    mirror.inspection_scheduled(uow.conn, event.data)  # before its findings, in inspection's order


def _hazard_texts(event):  # HTTP to inspection: before the write lock is taken
    return (lookups.item_title(event.data.get("item")),
            lookups.finding_description(event.data.get("finding_id")))


@before(_hazard_texts)
def hazard_found(uow, event):
    title, description = event.looked_up
    mirror.finding_text(uow.conn, event.data.get("finding_id"), description)
    mirror.hazard_found(uow.conn, event.data, event.attrs, title)
    expose_hazard(uow, event, event.id)


def unlicensed_operation_found(uow, event):
    mirror.unlicensed_found(uow.conn, event.data, event.attrs)
    expose_unlicensed(uow, event, event.data, event.attrs)


def _is_case(event):  # most findings and complaints are not: no unit of work for them
    return violations.case_key(event.name, event.data) is not None


def _finding_texts(event):
    return {"item_title": lookups.item_title(event.data.get("item")),
            "description": lookups.finding_description(event.data.get("finding_id"))}


@when(_is_case)
@before(_finding_texts)
def finding_recorded(uow, event):
    """A major/critical finding of an enforcement category is a case of its kind."""
    violation(uow, event, {**event.data, **event.looked_up})


# -- complaints and tasks -----------------------------------------------------------------
@when(_is_case)
def complaint_verified(uow, event):
    """A substantiated complaint about a registered institution is a case."""
    violation(uow, event, event.data)


def complaint_received(uow, event):
    mirror.complaint_received(uow.conn, event.data, event.attrs)


def complaint_answered(uow, event):
    mirror.complaint_progressed(uow.conn, event.data, closed=False)


def complaint_closed(uow, event):
    mirror.complaint_progressed(uow.conn, event.data, closed=True)


def district_named(uow, event):
    notice_id = Notice.id_for(event.id)
    notice = uow.get(Notice, notice_id) or Notice(notice_id)
    if notice.publish(source_event_id=event.id, **policies.district_named_notice(event.data)):
        uow.save(notice)


SUBSCRIPTIONS = {
    **directory.SUBSCRIPTIONS,                 # licences: the directory only
    ("registry", "InstitutionRegistered"): institution_registered,
    ("registry", "InstitutionSuspended"): institution_suspended,
    ("registry", "InstitutionReinstated"): institution_reinstated,
    ("registry", "InstitutionClosed"): institution_closed,
    ("registry", "BlacklistReviewOpened"): blacklist_review_opened,
    ("registry", "BlacklistReviewDecided"): blacklist_review_decided,
    ("registry", "ListBatchPublished"): list_batch_published,
    ("inspection", "InspectionScheduled"): inspection_scheduled,
    ("inspection", "HazardFound"): hazard_found,
    ("inspection", "UnlicensedOperationFound"): unlicensed_operation_found,
    ("inspection", "FindingRecorded"): finding_recorded,
    ("complaints", "ComplaintVerified"): complaint_verified,
    ("complaints", "ComplaintReceived"): complaint_received,
    ("complaints", "ComplaintAnswered"): complaint_answered,
    ("complaints", "ComplaintClosed"): complaint_closed,
    ("tasks", "DistrictNamed"): district_named,
}


# -- exposing cases -------------------------------------------------------------------------
def expose(uow, event, decided):
    if decided is None:
        return
    case_id, kind, facts, found_at = decided
    case = uow.get(Case, case_id) or Case(case_id)
    if not case.expose(kind, facts, found_at, event.now):
        return
    conn = uow.conn
    for outcome, at, department, reason in policies.outcomes_before(
            kind, mirror.institution(conn, facts["institution_id"]),
            mirror.reviews_decided_from(conn, facts["source_event_id"])):
        case.record_outcome(outcome, at, department, reason)
    uow.save(case)


def expose_hazard(uow, event, hazard_event_id):
    """The hazard case's process manager: it waits for the hazard (inspection) and the
    suspension it caused (registry), in either order; whichever comes second exposes it.
    The institution and the inspection came before them in their own sources."""
    conn = uow.conn
    hazard = mirror.hazard(conn, hazard_event_id)
    suspension = mirror.suspension(conn, hazard_event_id)
    if hazard and suspension:
        hazard["description"] = mirror.finding_text(conn, hazard.get("finding_id"))
        expose(uow, event, policies.hazard_case(
            hazard, suspension, mirror.institution(conn, suspension["institution_id"]),
            mirror.inspection(conn, hazard.get("inspection_id"))))


def expose_unlicensed(uow, event, data, attrs):
    conn = uow.conn
    expose(uow, event, policies.unlicensed_case(
        data, attrs, mirror.institution(conn, data.get("institution_id")),
        mirror.inspection(conn, data.get("inspection_id"))))


def violation(uow, event, data):
    found = violations.case_key(event.name, data)
    if found is None:
        return
    mirror.violation_found(uow.conn, *found, data, event.attrs)
    expose_violations(uow, event, case_key=found[0])


def expose_violations(uow, event, **where):
    conn = uow.conn
    for case_key, kind, data, attrs in mirror.violations(conn, **where):
        expose(uow, event, policies.violation_case(
            case_key, kind, data, attrs, mirror.institution(conn, data.get("institution_id")),
            mirror.inspection(conn, data.get("inspection_id"))))


def expose_waiting(uow, event, institution_id):
    """The process manager of findings and complaints, which wait for the registration
    of the institution they name (another source); exposing twice changes nothing."""
    for data, attrs in mirror.unlicensed_findings(uow.conn, institution_id=institution_id):
        expose_unlicensed(uow, event, data, attrs)
    expose_violations(uow, event, institution_id=institution_id)


def review_decided(uow, event, data, attrs):
    """An outcome of the case the review came from, or a case of its own."""
    conn = uow.conn
    review = mirror.review(conn, data["review_id"])
    root = policies.review_root(data, review, attrs["id"])
    case = uow.get(Case, Case.id_for(root))
    if case is not None:
        case.record_outcome(data.get("decision"), attrs.get("time"), data.get("department"),
                            data.get("reason"), attrs["id"])
        uow.save(case)
        return
    hazard = mirror.hazard(conn, root)
    if root != attrs["id"] and hazard is None:
        return  # from a finding not here yet (inspection): its case takes this decision then
    expose(uow, event, policies.blacklist_case(
        data, attrs, review, mirror.institution(conn, data["institution_id"]), hazard,
        mirror.inspection(conn, (hazard or {}).get("inspection_id"))))


def record_outcomes(uow, event, outcome, kinds=None):
    for case_id in queries.case_ids_of(uow.conn, event.data["institution_id"], kinds):
        case = uow.load(Case, case_id)
        case.record_outcome(outcome, event.time, source_event_id=event.id)
        uow.save(case)
