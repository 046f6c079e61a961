"""How tasks follows the other services: each handler mirrors a fact (mirror.py)
and settles the district it concerns in the same unit of work, so the fact,
any TaskCompleted it causes and the inbox record commit together."""
import json
import logging
import os

from nameko.timer import Timer

from shared import config
from shared.errors import OtgError
from shared.messaging import handle_event

from . import mirror, plans, policies
from . import projections as views
from .domain import Campaign, DistrictCampaign, Plan

log = logging.getLogger(__name__)


class Periodic(Timer):
    """nameko's timer, with the interval read when the service starts
    (`OTG_CHECK_INTERVAL`), not when the module is imported, and a first
    check at once: a restarted service catches up without waiting."""

    def __init__(self, **kwargs):
        super().__init__(interval=None, eager=True, **kwargs)

    def setup(self):
        self.interval = config.check_interval()


periodic = Periodic.decorator


class Reactions:
    """Mixed into TasksService (uses its store, clock, inbound, memory and catch_up)."""

    # -- registry: denominators (institutions), the white list, task 2 -----------------
    @handle_event("registry", "InstitutionRegistered")
    def handle_registry_institution_registered(self, data):
        self._record(data["district"], lambda c: mirror.institution_registered(c, data, self._seq()))

    @handle_event("registry", "InstitutionSuspended")
    def handle_registry_institution_suspended(self, data):
        self._status(data, "InstitutionSuspended")

    @handle_event("registry", "InstitutionReinstated")
    def handle_registry_institution_reinstated(self, data):
        self._status(data, "InstitutionReinstated")

    @handle_event("registry", "InstitutionClosed")
    def handle_registry_institution_closed(self, data):
        self._status(data, "InstitutionClosed")

    @handle_event("registry", "BlacklistReviewDecided")
    def handle_registry_blacklist_review_decided(self, data):
        self._record(data.get("district"), lambda c: mirror.institution_listing(c, data, self._seq()))

    @handle_event("registry", "ListBatchPublished")
    def handle_registry_list_batch_published(self, data):
        ids = json.dumps(sorted(data.get("institution_ids") or []))
        self._record(data["district"], lambda c: mirror.list_step(
            c, data, published_at=self._at(), institution_ids=ids))

    @handle_event("registry", "ListFiled")
    def handle_registry_list_filed(self, data):
        self._record(data["district"], lambda c: mirror.list_step(c, data, filed_at=self._at()))

    # -- disclosure: lists on the website (task 2), exposed cases (task 8) ------------------
    @handle_event("disclosure", "ListPublished")
    def handle_disclosure_list_published(self, data):
        self._record(data["district"], lambda c: mirror.list_step(c, data, disclosed_at=self._at()))

    @handle_event("disclosure", "CaseExposed")
    def handle_disclosure_case_exposed(self, data):
        def exposed(conn):
            mirror.case_exposed(conn, data, self._at())
            if (data.get("decision") or {}).get("by_hand"):
                mirror.case_found(conn, "CaseExposed", data, self._at())
        self._record(data.get("district"), exposed)

    @handle_event("disclosure", "CaseWithdrawn")
    def handle_disclosure_case_withdrawn(self, data):
        self._record(None, lambda c: mirror.case_withdrawn(c, data))

    # -- inspection: tasks 3, 6, 7 and cases found (task 8) ---------------------------------
    @handle_event("inspection", "InspectionCompleted")
    def handle_inspection_inspection_completed(self, data):
        self._record(data["district"], lambda c: mirror.inspection_completed(c, data, self._at()))

    @handle_event("inspection", "RectificationOrdered")
    def handle_inspection_rectification_ordered(self, data):
        self._record(data.get("district"), lambda c: mirror.rectification(c, data))

    @handle_event("inspection", "RectificationVerified")
    def handle_inspection_rectification_verified(self, data):
        self._record(data.get("district"), lambda c: mirror.rectification(c, data, verified=True))

    @handle_event("inspection", "HazardFound")
    def handle_inspection_hazard_found(self, data):
        self._record(data["district"], lambda c: mirror.case_found(c, "HazardFound", data, self._at()))

    @handle_event("inspection", "UnlicensedOperationFound")
    def handle_inspection_unlicensed_operation_found(self, data):
        self._record(data["district"], lambda c: mirror.case_found(
            c, "UnlicensedOperationFound", data, self._at()))

    @handle_event("inspection", "FindingRecorded")
    def handle_inspection_finding_recorded(self, data):
        """A major/critical finding of another kind (prepaid fees, advertising…) is a case."""
        if policies.violation_case_key("FindingRecorded", data):
            self._record(data["district"], lambda c: mirror.case_found(
                c, "FindingRecorded", data, self._at()))

    # -- complaints: substantiated reports are cases too (task 8) ----------------------------
    @handle_event("complaints", "ComplaintVerified")
    def handle_complaints_complaint_verified(self, data):
        if policies.violation_case_key("ComplaintVerified", data):
            self._record(data["district"], lambda c: mirror.case_found(
                c, "ComplaintVerified", data, self._at()))

    # -- the calendar ----------------------------------------------------------------------
    @periodic()
    def check_deadlines(self):
        """Settle every district of every campaign once per local day, after a restart
        and after a catch-up; the event handlers settle their district as facts arrive."""
        self._load_configured_plans()
        if self._catching_up():
            return
        replays = self.catch_up.replays if self.catch_up else 0
        caught_up, self.memory["replays"] = self.memory.get("replays") != replays, replays
        with self.store.read() as conn:
            campaigns = [Plan(data) for data in views.all_campaigns(conn)]
        for plan in campaigns:
            today = plan.today(self.clock.now())
            if caught_up or self.memory.get(plan.id) != today:
                for district in plan.districts:
                    self._settle_if_due(plan, district, today)
                self.memory[plan.id] = today

    # -- helpers -------------------------------------------------------------------------
    def _at(self):
        return policies.fact_time(self.inbound, self.clock.now())

    def _seq(self):
        return policies.sequence(self.inbound)

    def _status(self, data, event_name):
        self._record(data.get("district"), lambda c: mirror.institution_status(
            c, event_name, data, self._seq()))

    def _catching_up(self):
        """Histories of several services come in side by side at a catch-up: a share
        measured then (the inspections in, half the institutions not yet) would
        complete a task for good, so settling waits for the check after it."""
        return bool(self.catch_up and self.catch_up.replaying)

    def _record(self, district, write):
        """Mirror one fact, then settle its district in every campaign that has it."""
        with self.store.unit() as uow:
            district = write(uow.conn) or district
            if policies.concerns_districts(district):
                for data in views.all_campaigns(uow.conn):
                    plan = Plan(data)
                    if district in plan.districts:
                        self._settle(uow, plan, district)

    def _settle(self, uow, plan, district, part=None):
        if self._catching_up():
            return
        stream = DistrictCampaign.stream_id(plan.id, district)
        part = part or uow.get(DistrictCampaign, stream) or DistrictCampaign(stream)
        measured = plan.measure_all(mirror.facts(uow.conn, plan.id, district, plan.since()))
        part.settle(plan, district, measured, plan.today(self.clock.now()))
        uow.save(part)

    def _settle_if_due(self, plan, district, today):
        """Look first without the write lock; write only when something is due."""
        store = self.store.store
        stream = DistrictCampaign.stream_id(plan.id, district)
        with store.read() as conn:
            measured = plan.measure_all(mirror.facts(conn, plan.id, district, plan.since()))
            part = DistrictCampaign.replay(stream, map(store.decode, store.load_stream(stream, conn)))
        if part.needs_settling(plan, measured, today):
            with self.store.unit() as uow:
                self._settle(uow, plan, district)

    def _load_configured_plans(self):
        """Start the campaigns of the plan files in OTG_TASKS_PLANS (comma-separated)
        that have not started yet; once per process."""
        if self.memory.get("plans loaded"):
            return
        self.memory["plans loaded"] = True
        for path in filter(None, os.environ.get("OTG_TASKS_PLANS", "").split(",")):
            try:
                with open(path.strip(), "rb") as handle:
                    plan_data = plans.parse(handle.read())
                with self.store.unit() as uow:
                    if not uow.get(Campaign, Campaign.stream_id(plan_data["campaign_id"])):
                        uow.save(Campaign.start(plan_data))
                        log.info("started campaign %s from %s", plan_data["campaign_id"], path)
            except (OSError, OtgError) as error:
                log.error("cannot load the plan file %s: %s %s", path, error,
                          getattr(error, "fields", ""))
