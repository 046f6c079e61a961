"""Campaign: progress per district and task (the tasks service's dashboard data), and
the campaign's moves — a district files its implementation plan, the coordinator
names a lagging district, a school uploads its survey ledger and reports meetings."""
from .page_work import district_of
from .pages import back_to, form_dict, notice, today
from .web import page, render


class CampaignPages:
    @page("GET", "/campaign")
    def campaign(self, request, problem=None, form=None):
        visit = self.visit(request)
        campaign = request.args.get("campaign") or None
        board = visit.backend.get("tasks", "/dashboard.json", {"campaign": campaign})
        mine = district_of(visit)
        return render("campaign.html", problem.status if problem else 200, visit=visit,
                      board=board.data if board.ok else None, problem=problem or (
                          None if board.ok else board), form=form or {}, mine=mine,
                      errors=problem.fields if problem else {}, today=today(),
                      notice=notice(request))

    @page("POST", "/campaign/<campaign_id>/plan")
    def file_plan(self, request, campaign_id):
        visit = self.visit(request)
        form, upload = form_dict(request), request.files.get("file")
        files = {"file": (upload.filename, upload.stream.read(), upload.mimetype)} \
            if upload and upload.filename else None
        answer = visit.backend.post("tasks", f"/campaigns/{campaign_id}/implementation-plans",
                                    data={"district": form.get("district", "")}, files=files)
        return self._campaign_answer(request, answer, form, "plan")

    @page("POST", "/campaign/<campaign_id>/naming")
    def name_district(self, request, campaign_id):
        visit = self.visit(request)
        form = form_dict(request)
        reasons = [line.strip() for line in form.get("reasons", "").splitlines() if line.strip()]
        answer = visit.backend.post(
            "tasks", f"/campaigns/{campaign_id}/districts/{form.get('district', '-')}/naming",
            json={"reasons": reasons})
        return self._campaign_answer(request, answer, form, "naming")

    @page("POST", "/campaign/<campaign_id>/ledger")
    def upload_ledger(self, request, campaign_id):
        visit = self.visit(request)
        form, upload = form_dict(request), request.files.get("file")
        files = {"file": (upload.filename, upload.stream.read(), upload.mimetype)} \
            if upload and upload.filename else None
        answer = visit.backend.post("tasks", "/surveys", files=files, data={
            "school_id": school_of(visit, form), "campaign_id": campaign_id})
        return self._campaign_answer(request, answer, form, "ledger")

    @page("POST", "/campaign/<campaign_id>/meetings")
    def report_meetings(self, request, campaign_id):
        visit = self.visit(request)
        form = form_dict(request)
        answer = visit.backend.post("tasks", "/meetings", json={
            "school_id": school_of(visit, form), "campaign_id": campaign_id,
            "parent_meetings": form.get("parent_meetings", ""),
            "class_meetings": form.get("class_meetings", "")})
        return self._campaign_answer(request, answer, form, "meetings")

    def _campaign_answer(self, request, answer, form, action):
        if not answer.ok:
            return self.campaign(request, problem=answer, form={"action": action, **form})
        return back_to(request, "/campaign", "saved")


def school_of(visit, form):
    """A school account's own school; typed in only by an account added without one."""
    return visit.officer.get("school_id") or form.get("school_id", "").strip()
