"""Lists: the district's white and black list as they would be published, the
batches, publishing a batch and filing it with the municipal office."""
from shared.vocabulary import LOCAL_DISTRICTS

from .page_work import district_of
from .pages import back_to, form_dict, notice
from .web import page, render

LISTS = ("white", "black")


class MorePages:
    @page("GET", "/lists")
    def lists(self, request, problem=None):
        visit = self.visit(request)
        district = request.args.get("district") or district_of(visit) or LOCAL_DISTRICTS[0]
        visit.require_district(district)
        shown = {}
        for name in LISTS:
            current = visit.backend.get("registry", f"/lists/{name}", {"district": district})
            batches = visit.backend.get("registry", f"/lists/{name}/batches", {"district": district})
            problem = problem or next((a for a in (current, batches) if not a.ok), None)
            shown[name] = {"current": current.data if current.ok else None,
                           "batches": batches.data if batches.ok else []}
        return render("lists.html", problem.status if problem else 200, visit=visit,
                      district=district, shown=shown, problem=problem, notice=notice(request),
                      districts_local=LOCAL_DISTRICTS)

    @page("POST", "/lists/<list_name>/publish")
    def publish_list(self, request, list_name):
        visit = self.visit(request)
        district = form_dict(request).get("district", "")
        answer = visit.backend.post("registry", f"/lists/{list_name}/batches",
                                    json={"district": district})
        if not answer.ok:
            return self.lists(request, problem=answer)
        return back_to(request, f"/lists?district={district}", "published")

    @page("POST", "/lists/<list_name>/batches/<int:batch_no>/file")
    def file_list(self, request, list_name, batch_no):
        visit = self.visit(request)
        district = form_dict(request).get("district", "")
        answer = visit.backend.post("registry", f"/lists/{list_name}/batches/{batch_no}/file",
                                    json={"district": district})
        if not answer.ok:
            return self.lists(request, problem=answer)
        return back_to(request, f"/lists?district={district}", "filed")
