"""The inspection service: checklists, self-inspections, safety and enforcement
inspections, findings and hazards, patrol logs, rectification, random samples."""
from nameko.timer import timer
from werkzeug.wrappers import Response

from shared import config, directory, tabular
from shared import service as base
from shared import subscriptions
from shared.errors import BadRequest, Forbidden, NotFound
from shared.web import api

from . import checklists, evidence, patrol, policies, sampling, schemas
from . import projections as views
from .domain import (CITY_OFFICES, Inspection, RectificationOrder, Sample, carry_over_id,
                     may_read_certificates, may_read_inspection, may_read_notes)
from .events import CATALOGUE
from .subscriptions import SUBSCRIPTIONS

INSPECTORS = ("inspector",)
SCHEDULERS = ("inspector", "coordinator")
OFFICIALS = ("inspector", "registrar", "coordinator")  # act for an institution
READERS = ("inspector", "registrar", "handler", "coordinator")  # not schools, not publishers
PATROL_ITEM = "special.fire_patrol_2h"


class InspectionService(subscriptions.mount(SUBSCRIPTIONS), base.OtgService):
    name = "inspection"
    store = base.Store(CATALOGUE, [views.InspectionViews], tables=[views.own_tables, directory.metadata])

    # -- checklists and evidence ---------------------------------------------
    @api("GET", "/checklists", summary="every checklist with its version, sources and items")
    def list_checklists(self, request):
        return [checklists.summary(c) for c in checklists.all_checklists().values()]

    @api("GET", "/checklists/<checklist_id>")
    def get_checklist(self, request, checklist_id):
        return checklists.summary(checklists.get(checklist_id))

    @api("POST", "/evidence", roles=OFFICIALS, summary="upload an evidence file (multipart `file`)")
    def upload_evidence(self, request):
        return 201, evidence.put(_upload(request).read())

    @api("GET", "/evidence/<sha256>", roles=OFFICIALS, summary="download an evidence file")
    def download_evidence(self, request, sha256):
        with self.store.read() as conn:
            cited = views.evidence_citations(conn, sha256)
        if cited and not any(may_read_inspection(self.actor, **c) for c in cited):
            raise Forbidden(f"a {self.actor.role} of {self.actor.district} may not read this file")
        content = evidence.read(sha256)
        return Response(content, content_type=evidence.media_type(content),
                        headers={"Cache-Control": "private, max-age=31536000, immutable"})

    # -- inspections ------------------------------------------------------------
    @api("POST", "/inspections", roles=SCHEDULERS, body=schemas.InspectionIn,
         response=schemas.InspectionOut)
    def schedule(self, request, body):
        with self.store.unit() as uow:
            site = self._site(uow.conn, body["institution_id"], body)
            self.actor.require_district(site["district"])
            inspection = Inspection.schedule(
                kind=body["kind"], modes=body["modes"], focus=body["focus"],
                departments=body["departments"] or [self.actor.department],
                scheduled_for=body["scheduled_for"], officers=body["officers"], **site)
            self._save(uow, inspection)
        return 201, self._inspection(inspection.id)

    @api("GET", "/inspections", roles=READERS, query=schemas.InspectionQuery)
    def list_inspections(self, request, query):
        query["district"] = self.actor.district_filter(query["district"])
        department = None if self.actor.role in CITY_OFFICES else self.actor.department
        with self.store.read() as conn:
            return views.search_inspections(conn, department=department, **query)

    @api("GET", "/inspections/<inspection_id>", roles=READERS, response=schemas.InspectionOut)
    def get_inspection(self, request, inspection_id):
        view, actor = self._inspection(inspection_id), self.actor
        if not may_read_inspection(actor, view["district"], view["status"], view["departments"]):
            raise Forbidden(f"inspection {inspection_id} is not for a {actor.role} of "
                            f"{actor.department}/{actor.district}")
        return view

    @api("GET", "/public/findings/<finding_id>",
         summary="what a major/critical finding says, for its public case (contacts masked)")
    def public_finding(self, request, finding_id):
        return self._view(views.public_finding, finding_id, "public finding")

    @api("POST", "/inspections/<inspection_id>/findings", roles=INSPECTORS, body=schemas.FindingIn,
         summary="record a finding; a hazard is announced at once (HazardFound)")
    def record_finding(self, request, inspection_id, body):
        with self.store.unit() as uow:
            inspection = self._load(uow, Inspection, inspection_id)
            inspection.require_assigned(self.actor.department)  # "not yours" (403) first
            item = checklists.item(body["item"])
            proof = evidence.require(body["evidence"])
            finding_id = inspection.record_finding(
                item, body["severity"], body["description"], self.actor.department,
                body["suspend_immediately"], proof)
            self._save(uow, inspection)
        actor = self.actor
        finding = self._view(lambda conn, key: views.finding_view(
            conn, key, lambda district: may_read_notes(actor, district)), finding_id, "finding")
        return 201, {"id": finding_id, **finding}

    @api("POST", "/inspections/<inspection_id>/patrol-log", roles=INSPECTORS,
         body=schemas.PatrolLogIn,
         summary="import a fire-patrol log (multipart `file`, CSV/XLSX with date and time columns)")
    def import_patrol_log(self, request, inspection_id, body):
        upload = _upload(request)
        content = upload.read()
        patrols, days = patrol.read_log(content, upload.filename, body)
        stored = evidence.put(content)  # kept even if the import fails: content-addressed
        with self.store.unit() as uow:
            inspection = self._load(uow, Inspection, inspection_id)
            gaps = inspection.import_patrol_log(
                stored["sha256"], patrols, body["opening_hours"], days, self.actor.department,
                checklists.item(PATROL_ITEM), body["severity"])
            self._save(uow, inspection)
        return 201, {"sha256": stored["sha256"], "gaps": gaps,
                     "inspection": self._inspection(inspection_id)}

    @api("POST", "/inspections/<inspection_id>/complete", roles=INSPECTORS, body=schemas.CompleteIn,
         summary="end the inspection with the officers present; its findings get a "
                 "rectification order")
    def complete(self, request, inspection_id, body):
        with self.store.unit() as uow:
            inspection = self._load(uow, Inspection, inspection_id)
            inspection.require_assigned(self.actor.department)
            officers = body["officers"]
            if officers is None:  # those scheduled were present
                officers = views.officers_named(uow.conn, inspection_id)
            order_id = self._finish(uow, inspection, body["rectification_deadline"], officers)
        return {**self._inspection(inspection_id), "rectification_order_id": order_id}

    @api("POST", "/self-inspections", roles=OFFICIALS, body=schemas.SelfInspectionIn,
         summary="submit a self-inspection (every checklist item answered)")
    def submit_self_inspection(self, request, body):
        checklist = checklists.get(body["checklist"])
        for answer in body["answers"]:
            evidence.require(answer["evidence"])
        department = self.actor.department
        with self.store.unit() as uow:
            site = self._site(uow.conn, body["institution_id"], {})
            self.actor.require_district(site["district"])
            inspection = Inspection.schedule(kind="self", departments=[department],
                                             focus=["fire_safety"], **site)
            inspection.answer(checklist, body["answers"], department)
            order_id = self._finish(uow, inspection, body["rectification_deadline"])
        return 201, {**self._inspection(inspection.id), "rectification_order_id": order_id}

    @api("GET", "/coverage", roles=READERS, query=schemas.CoverageQuery,
         summary="which institutions of a district had a completed inspection of a kind")
    def coverage(self, request, query):
        self.actor.require_district(query["district"])
        with self.store.read() as conn:
            return views.coverage(conn, **query)

    # -- random samples -----------------------------------------------------------
    @api("POST", "/samples", roles=SCHEDULERS, body=schemas.SampleIn,
         summary="draw a reproducible random sample (and schedule its checks)")
    def draw_sample(self, request, body):
        district = body["district"]
        self.actor.require_district(district)
        with self.store.unit() as uow:
            sample = Sample.draw(district, views.population(uow.conn, district), body["size"],
                                 body["seed"] or sampling.new_seed())
            checks = [self._sampled_check(uow.conn, sample.id, institution_id, body)
                      for institution_id in sample.institution_ids] if body["schedule"] else []
            uow.save(sample, *checks)
        return 201, {**self._sample(sample.id), "inspection_ids": [c.id for c in checks]}

    @api("GET", "/samples/<sample_id>", roles=SCHEDULERS)
    def get_sample(self, request, sample_id):
        return self._sample(sample_id)

    # -- rectification -------------------------------------------------------------
    @api("POST", "/rectifications", roles=OFFICIALS, body=schemas.OrderIn,
         response=schemas.OrderOut, summary="order a rectification (carry_over for an earlier campaign's)")
    def order_rectification(self, request, body):
        for item in body["items"]:
            checklists.item(item, field="items")
        with self.store.unit() as uow:
            site = self._site(uow.conn, body["institution_id"], {})
            self.actor.require_district(site["district"])
            order = RectificationOrder.order(
                site["institution_id"], site["district"], body["items"], body["deadline"],
                self.clock.today(), carry_over=body["carry_over"], campaign=body["campaign"])
            uow.save(order)
        return 201, self._order(order.id)

    @api("POST", "/rectifications/carry-over", roles=OFFICIALS, query=schemas.CarryOverQuery,
         summary="import an earlier campaign's unfinished rectifications (multipart `file`, "
                 "CSV/XLSX: institution_id or credit_code, items, deadline)")
    def import_carry_over(self, request, query):
        upload = _upload(request)
        rows = schemas.carry_over_rows(tabular.rows(upload.read(), upload.filename))
        with self.store.unit() as uow:
            orders = [self._carry_over(uow.conn, number, row, query["campaign"])
                      for number, row in rows]
            # an order imported before (or named twice in the file) is not ordered again
            new, known = {}, []
            for order in orders:
                if order.id in new or uow.get(RectificationOrder, order.id) is not None:
                    known.append(order.id)
                else:
                    new[order.id] = order
            uow.save(*new.values())
        return 201, {"imported": len(new), "already_imported": len(known),
                     "order_ids": list(new), "already_imported_ids": _unique(known)}

    @api("GET", "/rectifications", roles=READERS, query=schemas.OrderQuery)
    def list_rectifications(self, request, query):
        query["district"] = self.actor.district_filter(query["district"])
        with self.store.read() as conn:
            return views.search_orders(conn, **query)

    @api("GET", "/rectifications/<order_id>", roles=READERS, response=schemas.OrderOut)
    def get_rectification(self, request, order_id):
        return self._order(order_id)

    @api("POST", "/rectifications/<order_id>/report", roles=OFFICIALS, body=schemas.ReportIn,
         summary="the institution reports the rectification done")
    def report_rectification(self, request, order_id, body):
        proof = evidence.require(body["evidence"])
        return self._order_command(order_id, lambda order: order.report(proof))

    @api("POST", "/rectifications/<order_id>/verify", roles=INSPECTORS, body=schemas.VerifyIn,
         summary="the re-inspection: passed (verified) or failed with a new deadline")
    def verify_rectification(self, request, order_id, body):
        proof = evidence.require(body["evidence"])
        department, today = self.actor.department, self.clock.today()
        return self._order_command(order_id, lambda order: order.verify(
            body["passed"], department, today, body["new_deadline"], proof))

    @timer(interval=config.check_interval())
    def flag_overdue_rectifications(self):
        today = self.clock.today()
        with self.store.read() as conn:
            due = views.orders_past_deadline(conn, today)
        for order_id in due:
            with self.store.unit() as uow:
                order = uow.load(RectificationOrder, order_id)
                order.flag_overdue(today)
                uow.save(order)

    # -- helpers ------------------------------------------------------------------------
    def _site(self, conn, institution_id, body):
        entry = views.directory_entry(conn, institution_id) if institution_id else None
        return policies.site(institution_id, entry, body)

    def _finish(self, uow, inspection, deadline, officers=()):
        """Complete the inspection and order the rectification of its findings, if any."""
        inspection.complete(officers)
        order = RectificationOrder.for_inspection(inspection, self.clock.today(), deadline)
        self._save(uow, inspection, *([order] if order else []))
        return order.id if order else None

    @staticmethod
    def _save(uow, inspection, *others):
        """Save, and keep the findings' notes and the officers' certificate numbers
        beside the events (never in them)."""
        uow.save(inspection, *others)
        views.save_notes(uow.conn, inspection.notes)
        if inspection.certificates is not None:
            views.save_certificates(uow.conn, inspection.id, inspection.certificates)
            inspection.certificates = None

    def _sampled_check(self, conn, sample_id, institution_id, body):
        return Inspection.schedule(
            kind="enforcement", modes=["random_sample", *body["modes"]], focus=body["focus"],
            departments=body["departments"] or [self.actor.department], sample_id=sample_id,
            **self._site(conn, institution_id, {}))

    def _carry_over(self, conn, number, row, campaign):
        institution_id = row["institution_id"] or views.by_credit_code(conn, row["credit_code"])
        where = f"row {number}"
        for item in row["items"]:
            checklists.item(item, field=where)
        site = self._site(conn, institution_id or row["credit_code"], {})
        self.actor.require_district(site["district"])
        return RectificationOrder.order(
            site["institution_id"], site["district"], row["items"], row["deadline"],
            self.clock.today(), carry_over=True, campaign=campaign,
            order_id=carry_over_id(campaign, site["institution_id"], row["items"]))

    def _order_command(self, order_id, command):
        with self.store.unit() as uow:
            order = self._load(uow, RectificationOrder, order_id)
            command(order)
            uow.save(order)
        return self._order(order_id)

    def _load(self, uow, aggregate_class, aggregate_id):
        aggregate = uow.get(aggregate_class, aggregate_id)
        if aggregate is None or aggregate.status is None:
            raise NotFound(f"no {aggregate_class.__name__} {aggregate_id}")
        self.actor.require_district(aggregate.district)
        return aggregate

    def _inspection(self, inspection_id):
        actor = self.actor

        def find(conn, key):  # descriptions and certificates only for those who may read them
            view = views.inspection_view(conn, key,
                                         lambda district: may_read_notes(actor, district))
            if view is not None:
                view["officers"] = views.officers_named(
                    conn, key, may_read_certificates(actor, view["district"]))
            return view
        return self._view(find, inspection_id, "inspection")

    def _order(self, order_id):
        view = self._view(views.order_view, order_id, "rectification order")
        self.actor.require_district(view["district"])
        return view

    def _sample(self, sample_id):
        view = self._view(views.sample_view, sample_id, "sample")
        self.actor.require_district(view["district"])
        redrawn = sampling.draw(view["population"], view["size"], view["seed"])
        return {**view, "reproduced": redrawn == view["institution_ids"]}

    def _view(self, find, key, what):
        with self.store.read() as conn:
            view = find(conn, key)
        if view is None:
            raise NotFound(f"no {what} {key}")
        return view


def _unique(values):
    return list(dict.fromkeys(values))


def _upload(request):
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest("no file", {"file": ["send the file as the multipart field `file`"]})
    return upload

