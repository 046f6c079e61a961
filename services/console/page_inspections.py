"""Inspections: the list, scheduling, the checklist an inspector works through on a
phone (pass / fail / not applicable, severity, photo; a failed item becomes a
finding), completion (the rectification order), and verifying rectifications."""
from urllib.parse import quote

from . import documents
from .page_work import district_of, institution_names
from .pages import back_to, form_dict, notice, page_no, query_of, today
from .web import page, render

FIRST_CHECKLIST = {"safety": "fire_nine_rules", "enforcement": "enforcement", "self": "fire_nine_rules"}


class InspectionPages:
    @page("GET", "/inspections")
    def inspections(self, request, problem=None, form=None):
        visit = self.visit(request)
        query = query_of(request, "status", "kind")
        answer = visit.backend.get("inspection", "/inspections", {
            **query, "district": district_of(visit), "page": page_no(request), "per_page": 30})
        orders = visit.backend.get("inspection", "/rectifications", {"district": district_of(visit)})
        found = answer.data if answer.ok else None
        open_orders = [o for o in (orders.data or {}).get("items", []) if o["status"] != "verified"] \
            if orders.ok else []
        names = institution_names(visit, [i.get("institution_id") for i in (found or {}).get(
            "items", [])] + [o["institution_id"] for o in open_orders])
        status = problem.status if problem else (200 if answer.ok else answer.status)
        return render("inspections.html", status, visit=visit,
                      query=query, found=found, names=names, open_orders=open_orders,
                      orders=orders.data if orders.ok else None, today=today(),
                      problem=problem or (None if answer.ok else answer), page=page_no(request),
                      notice=notice(request), form=form or {},
                      errors=problem.fields if problem else {})

    @page("GET", "/inspections/new")
    def new_inspection(self, request, problem=None, form=None):
        visit = self.visit(request)
        form = form or {"institution_id": request.args.get("institution_id", ""), "kind": "safety"}
        return render("inspection_new.html", problem.status if problem else 200, visit=visit,
                      form=form, problem=problem, errors=problem.fields if problem else {},
                      colleagues=self.colleagues(visit),
                      chosen=request.form.getlist("officers") or [visit.officer["officer_id"]])

    @page("POST", "/inspections/new")
    def schedule_inspection(self, request):
        visit = self.visit(request)
        form = form_dict(request)
        body = {"institution_id": form.get("institution_id", "").strip() or None,
                "kind": form.get("kind", ""), "modes": request.form.getlist("modes"),
                "focus": request.form.getlist("focus"),
                "departments": request.form.getlist("departments") or None,
                "scheduled_for": form.get("scheduled_for") or None,
                "officers": self.officers_chosen(visit, request) or []}
        answer = visit.backend.post("inspection", "/inspections", json=body)
        if not answer.ok:
            return self.new_inspection(request, problem=answer, form=form)
        return back_to(request, f"/inspections/{answer.data['id']}", "scheduled")

    @page("GET", "/inspections/<inspection_id>")
    def inspection(self, request, inspection_id, problem=None, form=None, errors=None):
        visit = self.visit(request)
        answer = visit.backend.get("inspection", f"/inspections/{inspection_id}")
        if not answer.ok:
            return render("error.html", answer.status, visit=visit, status=answer.status,
                          message=answer.message)
        inspection = answer.data
        visit.require_district(inspection["district"])
        institution = None
        if inspection.get("institution_id"):
            found = visit.backend.get("registry", f"/institutions/{inspection['institution_id']}")
            institution = found.data if found.ok else None
        checklists = visit.backend.get("inspection", "/checklists")
        lists = [c for c in (checklists.data or []) if inspection["kind"] in c.get("kinds", [])]
        wanted = request.values.get("checklist") or FIRST_CHECKLIST.get(inspection["kind"])
        chosen = next((c for c in lists if c["id"] == wanted), lists[0] if lists else None)
        return render("inspection.html", problem.status if problem else 200, visit=visit,
                      inspection=inspection, institution=institution, checklists=lists,
                      checklist=chosen, present=self.officers_present(visit, inspection),
                      colleagues=self.colleagues(visit),
                      issued=documents.of_inspection(self.store, inspection_id),
                      order=self.order_of(visit, inspection) if inspection["status"] == "completed"
                      else None,
                      problem=problem, form=form or {}, errors=errors or {}, today=today(),
                      notice=notice(request))

    @page("POST", "/inspections/<inspection_id>/checklist")
    def record_checklist(self, request, inspection_id):
        """Each failed item becomes a finding (its photo uploaded first as evidence)."""
        visit = self.visit(request)
        form = form_dict(request)
        failed = [key[len("result."):] for key, value in form.items()
                  if key.startswith("result.") and value == "fail"]
        errors, problem = {}, None
        for item in failed:
            answer = self._record_failed_item(visit, inspection_id, item, form, request.files)
            if not answer.ok:
                errors[item] = answer.fields or {"_": [answer.message]}
                problem = problem or answer
        if problem:
            return self.inspection(request, inspection_id, problem=problem, form=form, errors=errors)
        return back_to(request, f"/inspections/{inspection_id}", "finding")

    def officers_chosen(self, visit, request):
        """[{officer_id, certificate}] of the inspectors ticked as present; None if none."""
        ticked = set(request.form.getlist("officers"))
        return [{"officer_id": o["officer_id"], "certificate": o["certificate"]}
                for o in self.colleagues(visit) if o["officer_id"] in ticked] or None

    def _record_failed_item(self, visit, inspection_id, item, form, files):
        evidence = []
        photo = files.get(f"photo.{item}")
        if photo and photo.filename:
            upload = visit.backend.post("inspection", "/evidence", files={
                "file": (photo.filename, photo.stream.read(), photo.mimetype)})
            if not upload.ok:
                return upload
            evidence.append(upload.data["sha256"])
        return visit.backend.post("inspection", f"/inspections/{inspection_id}/findings", json={
            "item": item, "severity": form.get(f"severity.{item}") or None,
            "description": (form.get(f"note.{item}") or "").strip() or form.get(f"title.{item}", item),
            "suspend_immediately": form.get(f"suspend.{item}") == "on", "evidence": evidence})

    @page("POST", "/inspections/<inspection_id>/complete")
    def complete_inspection(self, request, inspection_id):
        visit = self.visit(request)
        form = form_dict(request)
        answer = visit.backend.post("inspection", f"/inspections/{inspection_id}/complete", json={
            "rectification_deadline": form.get("rectification_deadline") or None,
            "officers": self.officers_chosen(visit, request)})
        if not answer.ok:
            return self.inspection(request, inspection_id, problem=answer, form=form,
                                   errors={"complete": answer.fields})
        return back_to(request, f"/inspections/{inspection_id}", "completed")

    @page("POST", "/samples")
    def draw_sample(self, request):
        """A reproducible random sample of the district's institutions, each scheduled for
        an unannounced enforcement check."""
        visit = self.visit(request)
        form = form_dict(request)
        body = {"district": form.get("district") or district_of(visit) or "",
                "size": form.get("size", ""), "modes": ["unannounced", "random_sample"]}
        if form.get("seed", "").strip():
            body["seed"] = form["seed"].strip()
        answer = visit.backend.post("inspection", "/samples", json=body)
        if not answer.ok:
            return self.inspections(request, problem=answer, form={"action": "sample", **form})
        return back_to(request, "/inspections?status=scheduled", "sampled")

    @page("POST", "/inspections/<inspection_id>/patrol-log")
    def upload_patrol_log(self, request, inspection_id):
        """The institution's fire-patrol log (CSV/XLSX); gaps become findings."""
        visit = self.visit(request)
        form, upload = form_dict(request), request.files.get("file")
        files = {"file": (upload.filename, upload.stream.read(), upload.mimetype)} \
            if upload and upload.filename else None
        data = {key: form[key] for key in ("opening_hours", "period_from", "period_to", "closed_on",
                                           "severity") if form.get(key)}
        answer = visit.backend.post("inspection", f"/inspections/{inspection_id}/patrol-log",
                                    data=data, files=files)
        if not answer.ok:
            return self.inspection(request, inspection_id, problem=answer, form=form,
                                   errors={"patrol": answer.fields})
        return back_to(request, f"/inspections/{inspection_id}", "patrol")

    @page("POST", "/rectifications/carry-over")
    def import_carry_over(self, request):
        """An earlier campaign's unfinished rectifications (CSV/XLSX); every bad row is named."""
        visit = self.visit(request)
        form, upload = form_dict(request), request.files.get("file")
        files = {"file": (upload.filename, upload.stream.read(), upload.mimetype)} \
            if upload and upload.filename else None
        campaign = form.get("campaign", "").strip()
        path = "/rectifications/carry-over" + (f"?campaign={quote(campaign)}" if campaign else "")
        answer = visit.backend.post("inspection", path, files=files)
        if not answer.ok:
            return self.inspections(request, problem=answer, form={"action": "carry-over", **form})
        return back_to(request, "/inspections", "imported")

    @page("GET", "/rectifications/<order_id>")
    def rectification(self, request, order_id, problem=None, form=None):
        visit = self.visit(request)
        answer = visit.backend.get("inspection", f"/rectifications/{order_id}")
        if not answer.ok:
            return render("error.html", answer.status, visit=visit, status=answer.status,
                          message=answer.message)
        visit.require_district(answer.data["district"])
        names = institution_names(visit, [answer.data["institution_id"]])
        return render("rectification.html", problem.status if problem else 200, visit=visit,
                      order=answer.data, institution_name=names.get(answer.data["institution_id"]), problem=problem, form=form or {}, today=today(),
                      errors=problem.fields if problem else {}, notice=notice(request))

    @page("POST", "/rectifications/<order_id>/verify")
    def verify_rectification(self, request, order_id):
        visit = self.visit(request)
        form = form_dict(request)
        passed = {"yes": True, "no": False}.get(form.get("passed"), form.get("passed"))
        answer = visit.backend.post("inspection", f"/rectifications/{order_id}/verify", json={
            "passed": passed, "new_deadline": form.get("new_deadline") or None})
        if not answer.ok:
            return self.rectification(request, order_id, problem=answer, form=form)
        return back_to(request, f"/rectifications/{order_id}", "verified")
