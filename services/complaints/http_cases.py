"""Casework for handlers (district-bound) and the municipal office (coordinator):
cases, staff intake (hotline, e-mail), triage, verification, answer, close, merge,
statistics, social supervisors. A reporter's contact is opened on request only, by a
handler of the case's lead department, and every opening is recorded."""
import uuid
from types import SimpleNamespace

from werkzeug.wrappers import Response

from shared.errors import Conflict, Forbidden, NotFound
from shared.web import api

from . import evidence, queries, schemas, vault
from .domain import UNLISTED, Complaint, Supervisor, instant, redact, require_worker
from .http_public import uploaded_files
from .webapi import upload_api

HANDLERS = ("handler", "coordinator")
CASEWORKERS = ("handler", "coordinator")  # not admin: operators run the system, not cases


class Casework:
    """Mixed into ComplaintsService."""

    @api("GET", "/complaints", roles=HANDLERS, query=schemas.CaseQuery)
    def list_complaints(self, request, query):
        query["district"] = self.visible_district(query["district"])
        query["department"] = self.visible_department(query["department"])
        with self.store.read() as conn:
            return queries.search(conn, **query)

    @api("GET", "/complaints/stats", roles=HANDLERS, query=schemas.StatsQuery,
         summary="counts per district, channel and category")
    def statistics(self, request, query):
        with self.store.read() as conn:
            return queries.statistics(conn, self.visible_district(query["district"]),
                                      query["since"] and query["since"].isoformat(),
                                      query["until"] and query["until"].isoformat())

    @api("GET", "/complaints/<complaint_id>", roles=HANDLERS)
    def get_complaint(self, request, complaint_id):
        return self.case_view(complaint_id)

    @api("GET", "/complaints/<complaint_id>/contact", roles=("handler",),
         summary="the reporter's contact: handlers of the lead department only; each viewing is recorded")
    def get_contact(self, request, complaint_id):
        with self.store.unit() as uow:
            row = queries.find(uow.conn, complaint_id)
            if row is None:
                raise NotFound(f"complaint {complaint_id} not found")
            self.actor.require_district(row["district"])
            require_lead(row, self.actor)
            viewed_at = self.now()
            vault.record_viewing(uow.conn, complaint_id, viewed_at, str(self.actor), self.actor.subject)
            sealed = vault.sealed_contact(uow.conn, complaint_id)
        return {"complaint_id": complaint_id, "contact": self.vault.keeper.open(sealed),
                "viewed_at": viewed_at}

    @api("GET", "/complaints/<complaint_id>/photos/<photo_id>", roles=HANDLERS)
    def get_photo(self, request, complaint_id, photo_id):
        self.case_view(complaint_id)  # 404 / 403 as for the case
        with self.store.read() as conn:
            ref = vault.photo(conn, complaint_id, photo_id)
        if ref is None:
            raise NotFound(f"photo {photo_id} not found")
        path = evidence.path_for(self.vault.photos, ref["sha256"], ref["content_type"])
        return Response(path.read_bytes(), content_type=ref["content_type"],
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private"})

    @upload_api("POST", "/complaints/intake", roles=HANDLERS, body=schemas.StaffIntakeIn,
                summary="staff file a report: a hotline call or an imported e-mail")
    def intake_by_staff(self, request, body):
        self.actor.require_district(body["district"])
        if body["category"] is None:
            body["category"] = self.rules.guess_category(
                f"{body['description']} {body['institution_name']}")
        uploads = evidence.check(uploaded_files(request), documents=True)
        receipt = self.intake(body, body["channel"], uploads, contact=body.get("contact"),
                              external_ref=body.get("external_ref"))
        return (201 if receipt["created"] else 200), receipt

    # -- working a case ---------------------------------------------------------------
    @api("POST", "/complaints/<complaint_id>/triage", roles=HANDLERS, body=schemas.TriageIn)
    def triage(self, request, complaint_id, body):
        def retriage(uow, complaint):
            match, found = UNLISTED, None
            if not body["unlisted"]:
                named = body["institution_id"] or body["credit_code"] or body["institution_name"]
                match, found = self._match(uow.conn, {
                    "district": complaint.district, "credit_code": body["credit_code"],
                    "institution_id": body["institution_id"] or (None if named else complaint.institution_id),
                    "institution_name": body["institution_name"] or complaint.institution_name})
            complaint.assign(self.rules, match, body["category"], body["lead_department"],
                             body["handling_departments"],
                             institution_name=(found or {}).get("name", body["institution_name"]),
                             address=(found or {}).get("address"))
        return self.work(complaint_id, retriage)

    @api("POST", "/complaints/<complaint_id>/acknowledge", roles=HANDLERS)
    def acknowledge(self, request, complaint_id):
        return self.work(complaint_id, lambda uow, c: c.acknowledge(self.actor.department))

    @api("POST", "/complaints/<complaint_id>/verification-request", roles=HANDLERS,
         body=schemas.VerificationRequestIn,
         summary="ask the inspection service to check on site (VerificationRequested)")
    def request_verification(self, request, complaint_id, body):
        return self.work(complaint_id, lambda uow, c: c.request_verification(
            self.rules, self.actor.department, body["departments"], body["modes"]))

    @api("POST", "/complaints/<complaint_id>/verification", roles=HANDLERS,
         body=schemas.VerificationIn, summary="record the handler's own verification")
    def record_verification(self, request, complaint_id, body):
        def verify(uow, complaint):
            complaint.verify(body["substantiated"])
            vault.add_note(uow.conn, self.vault.keeper, complaint.id, "verification", body["note"],
                           self.now())
        return self.work(complaint_id, verify)

    @api("POST", "/complaints/<complaint_id>/answer", roles=HANDLERS, body=schemas.AnswerIn,
         summary="answer the reporter (visible with the tracking code)")
    def answer(self, request, complaint_id, body):
        def answer(uow, complaint):
            complaint.answer()
            vault.set_answer(uow.conn, self.vault.keeper, complaint.id, body["text"], self.now())
            return self.followers(uow, complaint, Complaint.follow_answer)
        return self.work(complaint_id, answer)

    @api("POST", "/complaints/<complaint_id>/close", roles=HANDLERS, body=schemas.NoteIn)
    def close(self, request, complaint_id, body):
        def close(uow, complaint):
            complaint.close()
            if body["note"]:
                vault.add_note(uow.conn, self.vault.keeper, complaint.id, "close", body["note"],
                               self.now())
            return self.followers(uow, complaint, Complaint.follow_close)
        return self.work(complaint_id, close)

    @api("POST", "/complaints/<complaint_id>/merge", roles=HANDLERS, body=schemas.MergeIn,
         summary="merge a duplicate into the case about the same institution and matter")
    def merge(self, request, complaint_id, body):
        def merge(uow, complaint):
            if queries.followers(uow.conn, complaint.id):
                raise Conflict(f"complaint {complaint.id} has duplicates merged into it")
            complaint.merge_into(uow.load(Complaint, body["into"]))
        return self.work(complaint_id, merge)

    # -- social supervisors -------------------------------------------------------------
    @api("POST", "/supervisors", roles=HANDLERS, body=schemas.SupervisorIn,
         summary="register a social supervisor; the reporting code is shown once")
    def register_supervisor(self, request, body):
        self.actor.require_district(body["district"])
        code, supervisor_id = vault.new_code(), str(uuid.uuid4())
        keeper = self.vault.keeper
        with self.store.unit() as uow:
            supervisor = Supervisor.register(supervisor_id, body["district"])
            vault.add_supervisor(uow.conn, supervisor_id, keeper.code_hash(code),
                                 keeper.seal({"name": body["name"], "phone": body["phone"]}))
            uow.save(supervisor)
        return 201, {"supervisor_id": supervisor_id, "district": body["district"],
                     "code": vault.display_code(code)}

    @api("GET", "/supervisors", roles=HANDLERS, query=schemas.DistrictQuery)
    def list_supervisors(self, request, query):
        with self.store.read() as conn:
            found = queries.supervisors_in(conn, self.visible_district(query["district"]))
            sealed = vault.supervisor_contacts(conn, [s["id"] for s in found])
        for supervisor in found:
            supervisor["contact"] = self.contact(sealed.get(supervisor["id"]))
        return {"items": found}

    @api("POST", "/supervisors/<supervisor_id>/revoke", roles=HANDLERS)
    def revoke_supervisor(self, request, supervisor_id):
        with self.store.unit() as uow:
            supervisor = uow.load(Supervisor, supervisor_id)
            self.actor.require_district(supervisor.district)
            supervisor.revoke()
            uow.save(supervisor)
        return {"supervisor_id": supervisor_id, "active": False}

    # -- helpers ----------------------------------------------------------------------
    def work(self, complaint_id, command):
        """Load, check who acts, run the command, save it (and any followers) at once."""
        with self.store.unit() as uow:
            complaint = uow.load(Complaint, complaint_id)
            self.actor.require_district(complaint.district)
            if complaint.lead_department:
                require_worker(complaint, self.actor.role, self.actor.department)
            others = command(uow, complaint) or []
            uow.save(complaint, *others)
        return self.case_view(complaint_id)

    def followers(self, uow, primary, follow):
        """Merged duplicates take the primary's answer or closing with it."""
        merged = [uow.load(Complaint, i) for i in queries.followers(uow.conn, primary.id)]
        for duplicate in merged:
            follow(duplicate, primary)
        return merged

    def case_view(self, complaint_id):
        with self.store.read() as conn:
            row = queries.find(conn, complaint_id)
            if row is None:
                raise NotFound(f"complaint {complaint_id} not found")
            self.actor.require_district(row["district"])
            if row["lead_department"]:  # read like the writes: the departments working it
                require_worker(SimpleNamespace(**row), self.actor.role, self.actor.department)
            case = vault.case_file(conn, self.vault.keeper, complaint_id)
            photos = vault.photos_of(conn, complaint_id)
            duplicates = queries.followers(conn, complaint_id)
            viewings = vault.viewings(conn, complaint_id)
        private = self.actor.role not in CASEWORKERS  # e.g. admin: no personal details
        hide = redact if private else (lambda text: text)
        return {**row, "tracking_code": vault.display_code(case["tracking_code"]),
                "description": hide(case["description"]),
                "contact_url": f"/complaints/{complaint_id}/contact" if case["contact"] else None,
                "contact_viewings": viewings,
                "details": {} if private else case["details"],
                "notes": [{**n, "text": hide(n["text"])} for n in case["notes"]],
                "answer": case["answer"], "photos": [_photo(p, complaint_id) for p in photos],
                "duplicates": duplicates}

    def contact(self, sealed):
        if self.actor.role not in CASEWORKERS:
            return None
        return self.vault.keeper.open(sealed)

    def visible_district(self, district):
        """Handlers see their own district; the municipal office any (or all)."""
        if self.actor.citywide:
            return district
        if district and district != self.actor.district:
            raise Forbidden(f"a {self.actor.role} of district {self.actor.district} "
                            f"may not see {district}")
        return self.actor.district

    def visible_department(self, department):
        """A handler lists the cases its department leads or helps with; the municipal office any."""
        if self.actor.role != "handler":
            return department
        if department and department != self.actor.department:
            raise Forbidden(f"a handler of {self.actor.department} may not list the cases of {department}")
        return self.actor.department

    def now(self):
        return instant(self.clock.now())


def require_lead(row, actor):
    """Only a handler of the department leading the case may open the reporter's contact."""
    if actor.role != "handler":
        raise Forbidden(f"only a handler of the lead department sees the reporter's contact, not a {actor.role}")
    if not row["lead_department"]:
        raise Conflict(f"complaint {row['id']} has no lead department yet: triage it first")
    if actor.department != row["lead_department"]:
        raise Forbidden(f"complaint {row['id']} is led by {row['lead_department']}: only its handlers "
                        "see the reporter's contact")


def _photo(ref, complaint_id):
    return {**{k: ref[k] for k in ("photo_id", "sha256", "content_type", "size")},
            "url": f"/complaints/{complaint_id}/photos/{ref['photo_id']}"}
