"""Complaints: the queue (filters in the query string), a case page with the report,
photos and history, and the handler's moves — triage, acknowledge, request a check on
site, record a verification, answer the reporter, close."""
from .page_work import district_of
from .pages import back_to, form_dict, notice, page_no, query_of, today
from .web import page, render

ACTIONS = {"triage": "/triage", "acknowledge": "/acknowledge",
           "verification-request": "/verification-request", "verification": "/verification",
           "answer": "/answer", "close": "/close", "merge": "/merge"}


class ComplaintPages:
    @page("GET", "/complaints")
    def complaints(self, request):
        visit = self.visit(request)
        query = query_of(request, "status", "category", "channel")
        params = {**query, "district": district_of(visit), "page": page_no(request), "per_page": 30,
                  "department": None if visit.is_("coordinator") else visit.officer["department"]}
        answer = visit.backend.get("complaints", "/complaints", params)
        return render("complaints.html", 200 if answer.ok else answer.status, visit=visit,
                      query=query, found=answer.data if answer.ok else None, today=today(),
                      problem=None if answer.ok else answer, page=page_no(request))

    @page("GET", "/complaints/<complaint_id>")
    def complaint(self, request, complaint_id, problem=None, form=None, show_contact=False,
                  preview=None):
        visit = self.visit(request)
        answer = visit.backend.get("complaints", f"/complaints/{complaint_id}")
        if not answer.ok:
            return render("error.html", answer.status, visit=visit, status=answer.status,
                          message=answer.message)
        visit.require_district(answer.data["district"])
        history = self.history(visit, "complaints", complaint_id)
        return render("complaint.html", problem.status if problem else 200, visit=visit,
                      case=answer.data, history=history, preview=preview, problem=problem, form=form or {}, today=today(),
                      errors=problem.fields if problem else {}, notice=notice(request),
                      show_contact=show_contact)

    @page("POST", "/complaints/<complaint_id>/contact")
    def complaint_contact(self, request, complaint_id):
        """The reporter's contact, shown on request only (the service decides who may see it)."""
        self.visit(request)
        return self.complaint(request, complaint_id, show_contact=True)

    @page("GET", "/complaints/<complaint_id>/photos/<photo_id>")
    def complaint_photo(self, request, complaint_id, photo_id):
        visit = self.visit(request)
        return self.proxied(visit, "complaints", f"/complaints/{complaint_id}/photos/{photo_id}")

    @page("POST", "/complaints/<complaint_id>/<action>")
    def complaint_action(self, request, complaint_id, action):
        visit = self.visit(request)
        if action not in ACTIONS:
            return render("error.html", 404, visit=visit, status=404, message="没有这个操作")
        form = {key: value.strip() for key, value in form_dict(request).items()}
        if action == "answer" and form.pop("confirmed", "") != "yes" and form.get("text"):
            # what goes to the reporter is read once more before it is sent
            return self.complaint(request, complaint_id, form={"action": action, **form},
                                  preview=form["text"])
        answer = visit.backend.post("complaints", f"/complaints/{complaint_id}{ACTIONS[action]}",
                                    json=complaint_body(action, form))
        if not answer.ok:
            return self.complaint(request, complaint_id, problem=answer, form={"action": action, **form})
        done = {"answer": "answered", "merge": "merged"}.get(action, "saved")
        return back_to(request, f"/complaints/{complaint_id}", done)


def complaint_body(action, form):
    """The form's strings as the service's JSON (empty fields left out: its defaults apply)."""
    body = {key: value for key, value in form.items() if value != ""}
    if action == "triage" and "handling_departments" in body:
        body["handling_departments"] = [d for d in body["handling_departments"].split(",") if d]
    if action == "triage":
        body["unlisted"] = body.get("unlisted") == "on"
    if action == "verification" and "substantiated" in body:
        body["substantiated"] = {"yes": True, "no": False}.get(body["substantiated"],
                                                               body["substantiated"])
    return body
