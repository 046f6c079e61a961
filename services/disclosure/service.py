"""The disclosure service: the public site (pages in site.py), its JSON API,
and the reactions to registry, inspection, complaints and tasks events."""
import uuid

from shared import service as base
from shared import violations
from shared.clock import rfc3339
from shared.errors import BadRequest, NotFound
from shared.messaging import handle_event
from shared.web import api

from . import channels, lookups, mirror, policies, queries, schemas, site
from . import projections as views
from .domain import Case, Notice, PublishedLists
from .events import CATALOGUE

PUBLISHERS = ("publisher",)


class DisclosureService(site.PublicSite, base.OtgService):
    name = "disclosure"
    store = base.Store(CATALOGUE, [views.PublicViews], tables=[views.mirror], count_writes=True)

    # -- registry ---------------------------------------------------------------------------
    @handle_event("registry", "InstitutionRegistered")
    def handle_registry_institution_registered(self, data):
        with self.store.unit() as uow:
            mirror.institution_registered(uow.conn, data)
            self._expose_waiting(uow, institution_id=data["institution_id"])
            for decision, attrs in mirror.blacklistings_of(uow.conn, data["institution_id"]):
                self._review_decided(uow, decision, attrs)  # one may have waited for the name

    @handle_event("registry", "LicenceRecorded")
    def handle_registry_licence_recorded(self, data):
        with self.store.unit() as uow:
            mirror.licence_changed(uow.conn, data, expired=False, inbound=self.inbound)

    @handle_event("registry", "LicenceExpired")
    def handle_registry_licence_expired(self, data):
        with self.store.unit() as uow:
            mirror.licence_changed(uow.conn, data, expired=True, inbound=self.inbound)

    @handle_event("registry", "InstitutionSuspended")
    def handle_registry_institution_suspended(self, data):
        with self.store.unit() as uow:
            mirror.status_changed(uow.conn, data, "suspended", self.inbound)
            mirror.suspension_recorded(uow.conn, data, self.inbound)
            if data.get("source_event_id"):
                self._expose_hazard(uow, data["source_event_id"])

    @handle_event("registry", "InstitutionReinstated")
    def handle_registry_institution_reinstated(self, data):
        with self.store.unit() as uow:
            mirror.status_changed(uow.conn, data, "open", self.inbound)
            self._record_outcomes(uow, data["institution_id"], "reinstated", ("hazard_suspension",))

    @handle_event("registry", "InstitutionClosed")
    def handle_registry_institution_closed(self, data):
        with self.store.unit() as uow:
            mirror.status_changed(uow.conn, data, "closed", self.inbound)
            self._record_outcomes(uow, data["institution_id"], "closed")

    @handle_event("registry", "BlacklistReviewOpened")
    def handle_registry_blacklist_review_opened(self, data):
        with self.store.unit() as uow:
            mirror.review_opened(uow.conn, data, self.inbound)

    @handle_event("registry", "BlacklistReviewDecided")
    def handle_registry_blacklist_review_decided(self, data):
        with self.store.unit() as uow:
            mirror.review_decided(uow.conn, data, self.inbound)
            self._review_decided(uow, data, self.inbound)

    @handle_event("registry", "ListBatchPublished")
    def handle_registry_list_batch_published(self, data):
        """A new registry batch is republished on the site at once."""
        with self.store.unit() as uow:
            stream = PublishedLists.stream_id(data["district"], data["list"])
            lists = uow.get(PublishedLists, stream) or PublishedLists(stream)
            lists.publish(data["district"], data["list"], data["batch_no"],
                          data.get("institution_ids") or [], data.get("published_on"),
                          self.inbound["id"])
            uow.save(lists)

    # -- inspection -------------------------------------------------------------------------
    @handle_event("inspection", "InspectionScheduled")
    def handle_inspection_inspection_scheduled(self, data):
        with self.store.unit() as uow:
            mirror.inspection_scheduled(uow.conn, data)
            self._expose_waiting(uow, inspection_id=data["inspection_id"])

    @handle_event("inspection", "HazardFound")
    def handle_inspection_hazard_found(self, data):
        title = lookups.item_title(data.get("item"))  # HTTP: before the write lock is taken
        description = lookups.finding_description(data.get("finding_id"))
        with self.store.unit() as uow:
            mirror.finding_text(uow.conn, data.get("finding_id"), description)
            mirror.hazard_found(uow.conn, data, self.inbound, title)
            self._expose_hazard(uow, self.inbound["id"])

    @handle_event("inspection", "UnlicensedOperationFound")
    def handle_inspection_unlicensed_operation_found(self, data):
        with self.store.unit() as uow:
            mirror.unlicensed_found(uow.conn, data, self.inbound)
            self._expose_unlicensed(uow, data, self.inbound)

    @handle_event("inspection", "FindingRecorded")
    def handle_inspection_finding_recorded(self, data):
        """A major/critical finding of an enforcement category is a case of its kind."""
        if violations.case_key("FindingRecorded", data):
            self._violation("FindingRecorded", {
                **data, "item_title": lookups.item_title(data.get("item")),
                "description": lookups.finding_description(data.get("finding_id"))})

    # -- complaints and tasks -----------------------------------------------------------------
    @handle_event("complaints", "ComplaintVerified")
    def handle_complaints_complaint_verified(self, data):
        """A substantiated complaint about a registered institution is a case."""
        self._violation("ComplaintVerified", data)

    @handle_event("complaints", "ComplaintReceived")
    def handle_complaints_complaint_received(self, data):
        with self.store.unit() as uow:
            mirror.complaint_received(uow.conn, data, self.inbound)

    @handle_event("complaints", "ComplaintAnswered")
    def handle_complaints_complaint_answered(self, data):
        with self.store.unit() as uow:
            mirror.complaint_progressed(uow.conn, data, closed=False)

    @handle_event("complaints", "ComplaintClosed")
    def handle_complaints_complaint_closed(self, data):
        with self.store.unit() as uow:
            mirror.complaint_progressed(uow.conn, data, closed=True)

    @handle_event("tasks", "DistrictNamed")
    def handle_tasks_district_named(self, data):
        with self.store.unit() as uow:
            notice_id = Notice.id_for(self.inbound["id"])
            notice = uow.get(Notice, notice_id) or Notice(notice_id)
            if notice.publish(source_event_id=self.inbound["id"],
                              **policies.district_named_notice(data)):
                uow.save(notice)

    # -- JSON API ---------------------------------------------------------------------------------
    @api("GET", "/api/cases", query=schemas.CaseQuery, summary="published violation cases")
    def api_cases(self, request, query):
        with self.store.read() as conn:
            return queries.case_list(conn, **query)

    @api("GET", "/api/cases/<case_id>", response=schemas.CaseOut, summary="one case with its history")
    def api_case(self, request, case_id):
        return self._case_view(case_id)

    @api("GET", "/api/lists/<list_name>", query=schemas.ListQuery,
         summary="the newest white/black list batch per district, or one district's batch")
    def api_list(self, request, list_name, query):
        with self.store.read() as conn:
            return queries.list_view(conn, site.check_list(list_name), query["district"],
                                     query["batch"])

    @api("GET", "/api/institutions", query=schemas.SearchQuery,
         summary="search by name or credit code: status and list")
    def api_institutions(self, request, query):
        with self.store.read() as conn:
            return {"q": query["q"], "items": queries.search(conn, query["q"], query["district"])}

    @api("GET", "/api/notices", query=schemas.DistrictQuery, summary="district notices")
    def api_notices(self, request, query):
        with self.store.read() as conn:
            return {"items": queries.notice_list(conn, query["district"])}

    @api("GET", "/api/channels", summary="each district's hotline, e-mail and report form")
    def api_channels(self, request):
        return channels.load()

    @api("POST", "/api/cases", roles=PUBLISHERS, body=schemas.CaseIn, response=schemas.CaseOut,
         summary="publish a case by hand (a publisher of the district)")
    def publish_case(self, request, body):
        self.actor.require_district(body["district"])
        case_id, now = str(uuid.uuid4()), self.clock.now()
        with self.store.unit() as uow:
            institution = self._institution_of(uow.conn, body)
            case = Case(case_id)
            facts, found_at = policies.by_hand_case(
                case_id, body, institution, body["department"] or self.actor.department, rfc3339(now))
            case.expose("violation", facts, found_at, now)
            uow.save(case)
        return 201, self._case_view(case_id)

    @api("POST", "/api/cases/<case_id>/withdraw", roles=PUBLISHERS, body=schemas.WithdrawalIn,
         response=schemas.CaseOut)
    def withdraw_case(self, request, case_id, body):
        return self._case_command(case_id, lambda case: case.withdraw(body["reason"]))

    @api("POST", "/api/cases/<case_id>/correct", roles=PUBLISHERS, body=schemas.CorrectionIn,
         response=schemas.CaseOut)
    def correct_case(self, request, case_id, body):
        changes = {k: v for k, v in body.items() if k != "reason"}
        return self._case_command(case_id, lambda case: case.correct(changes, body["reason"]))

    # -- helpers ------------------------------------------------------------------------------------
    @staticmethod
    def _institution_of(conn, body):
        if not body["institution_id"]:
            if not body["institution_name"]:
                raise BadRequest("name the institution", {"institution_name": [
                    "required without institution_id"]})
            return None
        institution = mirror.institution(conn, body["institution_id"])
        if institution is None or not institution["name"]:
            raise BadRequest("unknown institution", {"institution_id": [
                f"{body['institution_id']} is not in the registry"]})
        if institution["district"] != body["district"]:
            raise BadRequest("wrong district", {"district": [
                f"the institution is in district {institution['district']}"]})
        return institution

    def _expose(self, uow, decided):
        if decided is None:
            return
        case_id, kind, facts, found_at = decided
        case = uow.get(Case, case_id) or Case(case_id)
        if not case.expose(kind, facts, found_at, self.clock.now()):
            return
        conn = uow.conn
        for outcome, at, department, reason in policies.outcomes_before(
                kind, mirror.institution(conn, facts["institution_id"]),
                mirror.reviews_decided_from(conn, facts["source_event_id"])):
            case.record_outcome(outcome, at, department, reason)
        uow.save(case)

    def _expose_hazard(self, uow, hazard_event_id):
        conn = uow.conn
        hazard = mirror.hazard(conn, hazard_event_id)
        suspension = mirror.suspension(conn, hazard_event_id)
        if hazard and suspension:
            hazard["description"] = mirror.finding_text(conn, hazard.get("finding_id"))
            self._expose(uow, policies.hazard_case(
                hazard, suspension, mirror.institution(conn, suspension["institution_id"]),
                mirror.inspection(conn, hazard.get("inspection_id"))))

    def _expose_unlicensed(self, uow, data, inbound):
        conn = uow.conn
        self._expose(uow, policies.unlicensed_case(
            data, inbound, mirror.institution(conn, data.get("institution_id")),
            mirror.inspection(conn, data.get("inspection_id"))))

    def _violation(self, event_name, data):
        found = violations.case_key(event_name, data)
        if found is None:
            return
        with self.store.unit() as uow:
            mirror.violation_found(uow.conn, *found, data, self.inbound)
            self._expose_violations(uow, case_key=found[0])

    def _expose_violations(self, uow, **where):
        conn = uow.conn
        for case_key, kind, data, attrs in mirror.violations(conn, **where):
            self._expose(uow, policies.violation_case(
                case_key, kind, data, attrs, mirror.institution(conn, data.get("institution_id")),
                mirror.inspection(conn, data.get("inspection_id"))))

    def _expose_waiting(self, uow, **where):
        """A case waits for every fact it shows; exposing twice changes nothing."""
        for hazard_event_id in mirror.hazard_ids(uow.conn, **where):
            self._expose_hazard(uow, hazard_event_id)
        for data, attrs in mirror.unlicensed_findings(uow.conn, **where):
            self._expose_unlicensed(uow, data, attrs)
        self._expose_violations(uow, **where)

    def _review_decided(self, uow, data, inbound):
        """An outcome of the case the review came from, or a case of its own."""
        conn = uow.conn
        review = mirror.review(conn, data["review_id"])
        root = policies.review_root(data, review, inbound["id"])
        case = uow.get(Case, Case.id_for(root))
        if case is not None:
            case.record_outcome(data.get("decision"), inbound.get("time"), data.get("department"),
                                data.get("reason"), inbound["id"])
            uow.save(case)
            return
        hazard = mirror.hazard(conn, root)
        if root != inbound["id"] and hazard is None:
            return  # from a finding not here yet: its case takes this decision when published
        self._expose(uow, policies.blacklist_case(
            data, inbound, review, mirror.institution(conn, data["institution_id"]), hazard,
            mirror.inspection(conn, (hazard or {}).get("inspection_id"))))

    def _record_outcomes(self, uow, institution_id, outcome, kinds=None):
        for case_id in queries.case_ids_of(uow.conn, institution_id, kinds):
            case = uow.load(Case, case_id)
            case.record_outcome(outcome, self.inbound.get("time"),
                                source_event_id=self.inbound["id"])
            uow.save(case)

    def _case_command(self, case_id, command):
        with self.store.unit() as uow:
            case = uow.load(Case, case_id)
            self.actor.require_district(case.district)
            command(case)
            uow.save(case)
        return self._case_view(case_id)

    def _case_view(self, case_id):
        with self.store.read() as conn:
            view = queries.case_detail(conn, case_id)
        if view is None:
            raise NotFound(f"case {case_id} not found")
        return view
