"""Publishing: the district's exposed cases as the public sees them, and the
publisher's moves — correct a case (with a reason, shown in its public history) or
withdraw it."""
from .page_work import district_of
from .pages import back_to, form_dict, notice, page_no
from .web import page, render


class PublishingPages:
    @page("GET", "/cases")
    def cases(self, request, problem=None, form=None):
        visit = self.visit(request)
        answer = visit.backend.get("disclosure", "/api/cases", {
            "district": district_of(visit), "include_withdrawn": "true", "page": page_no(request),
            "per_page": 30})
        return render("cases.html", problem.status if problem else (200 if answer.ok else answer.status),
                      visit=visit, found=answer.data if answer.ok else None,
                      problem=problem or (None if answer.ok else answer), form=form or {},
                      errors=problem.fields if problem else {}, notice=notice(request),
                      page=page_no(request))

    @page("POST", "/cases/<case_id>/<action>")
    def case_action(self, request, case_id, action):
        visit = self.visit(request)
        if action not in ("correct", "withdraw"):
            return render("error.html", 404, visit=visit, status=404, message="没有这个操作")
        form = {key: value.strip() for key, value in form_dict(request).items()}
        body = {key: value for key, value in form.items() if value}
        answer = visit.backend.post("disclosure", f"/api/cases/{case_id}/{action}", json=body)
        if not answer.ok:
            return self.cases(request, problem=answer, form={"action": action, "case": case_id, **form})
        return back_to(request, "/cases", "saved")
