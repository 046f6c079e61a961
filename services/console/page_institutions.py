"""Institutions: search and filter, register, an institution's page (profile,
licences, status, list, open review, one timeline across the services) and the
registrar's moves: suspend, reinstate, close, open and decide a review."""
from shared import tabular
from shared.errors import BadRequest
from shared.institution_table import import_row
from shared.vocabulary import LOCAL_DISTRICTS

from .page_work import district_of
from .labels import label
from .pages import all_pages, back_to, csv_download, form_dict, notice, page_no, query_of, today
from .backend import Answer
from .web import page, render

ACTIONS = {"suspend": ("/suspend", "suspended"), "reinstate": ("/reinstate", "reinstated"),
           "close": ("/close", "closed"), "review": ("/review", "review"),
           "decision": ("/review/decision", "decided"), "licences": ("/licences", "licence")}
HISTORY_PAGES = 5  # a service's feed is read at most this far (1000 events a page)


class InstitutionPages:
    @page("GET", "/institutions")
    def institutions(self, request):
        visit = self.visit(request)
        query = query_of(request, "q", "status", "list_status", "district")
        query["district"] = district_of(visit) or query["district"]  # a district sees its own
        answer = visit.backend.get("registry", "/institutions",
                                   {**query, "page": page_no(request), "per_page": 30})
        return render("institutions.html", answer.status if not answer.ok else 200, visit=visit,
                      query=query, found=answer.data if answer.ok else None,
                      problem=None if answer.ok else answer, page=page_no(request),
                      notice=notice(request), districts_local=LOCAL_DISTRICTS)

    @page("GET", "/institutions.csv")
    def institutions_csv(self, request):
        """The list on screen (the same filters), every page of it, as CSV."""
        visit = self.visit(request)
        query = query_of(request, "q", "status", "list_status", "district")
        query["district"] = district_of(visit) or query["district"]
        answer, items = all_pages(lambda number: visit.backend.get(
            "registry", "/institutions", {**query, "page": number, "per_page": 500}))
        if not answer.ok:
            return render("error.html", answer.status, visit=visit, status=answer.status,
                          message=answer.message)
        return csv_download("institutions.csv", ["名称", "统一社会信用代码", "区市", "类别", "地址",
                                                  "经营状态", "名单", "复核中"], [
            [i["name"], i["credit_code"], label(i["district"], "district"),
             label(i["category"], "category"), i["address"], label(i["status"], "status"),
             label(i["list_status"], "list"), "是" if i.get("review") else ""] for i in items])

    @page("GET", "/institutions/new")
    def new_institution(self, request, problem=None, form=None):
        visit = self.visit(request)
        form = form or {"district": district_of(visit) or ""}
        return render("institution_new.html", problem.status if problem else 200, visit=visit,
                      form=form, problem=problem, errors=problem.fields if problem else {},
                      districts_local=LOCAL_DISTRICTS)

    @page("POST", "/institutions/new")
    def register_institution(self, request):
        visit = self.visit(request)
        form = form_dict(request)
        body = {key: form.get(key, "").strip() for key in
                ("name", "credit_code", "district", "category", "address")}
        answer = visit.backend.post("registry", "/institutions", json=body)
        if not answer.ok:
            return self.new_institution(request, problem=answer, form=form)
        return back_to(request, f"/institutions/{answer.data['id']}", "registered")

    @page("GET", "/institutions/import")
    def import_form(self, request, problem=None, refused=(), filename=""):
        visit = self.visit(request)
        return render("institution_import.html", problem.status if problem else 200, visit=visit,
                      problem=problem, refused=refused, filename=filename)

    @page("POST", "/institutions/import")
    def import_institutions(self, request):
        """A bureau's table (CSV/XLSX), all rows or none; every refused row is listed."""
        upload = request.files.get("file")
        filename = upload.filename if upload else ""
        try:
            table = tabular.read(upload.stream.read() if filename else b"", filename, ())
        except BadRequest as error:
            return self.import_form(request, problem=Answer(400, message=str(error),
                                                            fields=error.fields), filename=filename)
        rows = [import_row(raw) for _, raw in table]
        answer = self.visit(request).backend.post("registry", "/institutions/import",
                                                  json={"institutions": rows})
        if not answer.ok:
            return self.import_form(request, problem=answer, filename=filename,
                                    refused=refused_rows(answer, table, rows))
        return back_to(request, "/institutions", "imported")

    @page("GET", "/institutions/<institution_id>")
    def institution(self, request, institution_id, problem=None, form=None):
        visit = self.visit(request)
        answer = visit.backend.get("registry", f"/institutions/{institution_id}")
        if not answer.ok:
            return render("error.html", answer.status, visit=visit, status=answer.status,
                          message=answer.message)
        visit.require_district(answer.data["district"])
        return render("institution.html", problem.status if problem else 200, visit=visit,
                      institution=answer.data, problem=problem, form=form or {},
                      errors=problem.fields if problem else {}, today=today(),
                      timeline=self.institution_timeline(visit, answer.data),
                      notice=notice(request))

    @page("POST", "/institutions/<institution_id>/<action>")
    def institution_action(self, request, institution_id, action):
        visit = self.visit(request)
        if action not in ACTIONS:
            return render("error.html", 404, visit=visit, status=404, message="没有这个操作")
        path, done = ACTIONS[action]
        body = {key: value.strip() for key, value in form_dict(request).items()}
        answer = visit.backend.post("registry", f"/institutions/{institution_id}{path}", json=body)
        if not answer.ok:
            return self.institution(request, institution_id, problem=answer,
                                    form={"action": action, **body})
        return back_to(request, f"/institutions/{institution_id}", done)

    def institution_timeline(self, visit, institution):
        """Everything that happened to the institution, oldest first: the registry's
        events about it and the inspection service's inspections."""
        entries = self.history(visit, "registry", institution["id"])
        inspections = visit.backend.get("inspection", "/inspections",
                                        {"institution_id": institution["id"], "per_page": 100})
        for inspection in (inspections.data or {}).get("items", []) if inspections.ok else []:
            entries.append({"time": inspection.get("completed_at") or inspection.get("scheduled_at")
                            or "", "what": "Inspection", "data": inspection,
                            "href": f"/inspections/{inspection['id']}"})
        return sorted(entries, key=lambda e: e["time"] or "")

    def history(self, visit, service, subject):
        """A service's events about one aggregate, from its feed (the event log is the
        history), each with the name of the officer who caused it, if one did. Only for
        an aggregate the officer has read (and may see) with their own token."""
        entries, after = [], 0
        for _ in range(HISTORY_PAGES):
            feed = visit.backend.feed(service, after, 1000)
            if not feed.ok or not feed.data:
                break
            entries += [{"time": e["time"], "what": e["type"].split(".")[2], "data": e["data"],
                         "officer": e.get("officer")} for e in feed.data
                        if e.get("subject") == subject]
            after = int(feed.data[-1]["position"])
        names = self.officer_names(e["officer"] for e in entries)
        for entry in entries:
            entry["officer_name"] = names.get(entry["officer"])
        return entries


def refused_rows(answer, table, rows):
    """The registry's per-row errors (keyed by position in the list it was sent) beside
    the spreadsheet's own row numbers, names and credit codes."""
    errors = answer.fields.get("institutions")
    if not isinstance(errors, dict):
        return []
    return [{"row": table[int(index)][0], "name": rows[int(index)]["name"],
             "credit_code": rows[int(index)]["credit_code"], "errors": problems}
            for index, problems in sorted(errors.items(), key=lambda item: int(item[0]))
            if str(index).isdigit() and int(index) < len(rows)]
