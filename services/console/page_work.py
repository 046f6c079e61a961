"""工作台 (my work): what waits for the signed-in officer, soonest deadline first,
overdue in red — each entry as one of the services reports it."""
from shared.vocabulary import CITY

from .labels import label, reason
from .pages import notice, today
from .web import page, render


class WorkPages:
    @page("GET", "/")
    def home_page(self, request):  # overrides the API index: "/" is the 工作台
        visit = self.visit(request)
        items, problems = [], []
        for gather in GATHER.get(visit.officer["role"], ()):
            gather(visit, items, problems)
        name_institutions(visit, items)
        items.sort(key=lambda item: (item["due"] or "9999", item["title"]))
        return render("work.html", visit=visit, items=items, problems=problems,
                      today=today(), notice=notice(request))


def institution_names(visit, institution_ids, limit=50):
    """{id: name} from the registry, for entries that know only an institution's id."""
    names = {}
    for institution_id in institution_ids:
        if institution_id and institution_id not in names and len(names) < limit:
            answer = visit.backend.get("registry", f"/institutions/{institution_id}")
            names[institution_id] = answer.data["name"] if answer.ok else None
    return names


def name_institutions(visit, items):
    names = institution_names(visit, [item.get("institution_id") for item in items])
    for item in items:
        name = names.get(item.pop("institution_id", None))
        if name:
            item["title"] = name


def district_of(visit):
    district = visit.officer["district"]
    return None if district == CITY else district


def _answer(answer, problems):
    if not answer.ok:
        problems.append(answer)
        return None
    return answer.data


def suspended_and_reviews(visit, items, problems):
    found = _answer(visit.backend.get("registry", "/institutions", {
        "district": district_of(visit), "status": "suspended", "per_page": 200}), problems)
    for institution in (found or {}).get("items", []):
        items.append({"due": None, "href": f"/institutions/{institution['id']}",
                      "title": institution["name"], "kind": "停业整改",
                      "detail": reason(institution.get("status_reason"))})
        if institution.get("review"):
            items.append(review_item(visit, institution))
    # a review also opens on an institution still trading (a complaint, a finding):
    # shown to the department that decides it (and the coordinator)
    reviewed = _answer(visit.backend.get("registry", "/institutions", {
        "district": district_of(visit), "review": "open", "per_page": 200}), problems)
    for institution in (reviewed or {}).get("items", []):
        mine = institution["supervising_department"] == visit.officer["department"]
        if institution["status"] != "suspended" and (mine or visit.is_("coordinator")):
            items.append(review_item(visit, institution))


def review_item(visit, institution):
    mine = institution["supervising_department"] == visit.officer["department"]
    return {"due": None, "href": f"/institutions/{institution['id']}#review",
            "title": institution["name"], "kind": "黑名单复核",
            "detail": ("由本部门决定 · " if mine else
                       f"由{label(institution['supervising_department'], 'department')}决定 · ")
            + reason(institution["review"].get("reason"))}


def unfiled_batches(visit, items, problems):
    district = district_of(visit)
    if district is None:
        return
    for list_name in ("white", "black"):
        batches = _answer(visit.backend.get("registry", f"/lists/{list_name}/batches",
                                            {"district": district}), problems) or []
        for batch in batches:
            if not batch.get("filed"):
                items.append({"due": None, "href": "/lists", "kind": "名单待备案",
                              "title": f"{label(list_name, 'list')} 第 {batch['batch_no']} 批",
                              "detail": f"发布于 {batch.get('published_on') or '—'}"})


def scheduled_inspections(visit, items, problems):
    found = _answer(visit.backend.get("inspection", "/inspections", {
        "district": district_of(visit), "status": "scheduled", "per_page": 200}), problems)
    for inspection in (found or {}).get("items", []):
        if visit.officer["department"] not in inspection.get("departments", []):
            continue
        items.append({"due": inspection.get("scheduled_for"), "href": f"/inspections/{inspection['id']}",
                      "institution_id": inspection.get("institution_id"),
                      "kind": label(inspection["kind"], "kind"),
                      "title": inspection.get("site_name") or inspection.get("institution_name")
                      or inspection.get("institution_id") or "—",
                      "detail": "、".join(label(m, "mode") for m in inspection.get("modes", []))})


def orders_to_verify(visit, items, problems):
    for status in ("open", "reported"):
        found = _answer(visit.backend.get("inspection", "/rectifications", {
            "district": district_of(visit), "status": status}), problems)
        for order in (found or {}).get("items", []):
            items.append({"due": order["deadline"], "href": f"/rectifications/{order['order_id']}",
                          "institution_id": order["institution_id"],
                          "kind": "整改验收", "title": order.get("institution_name")
                          or order["institution_id"], "detail": label(order["status"], "order_status")})


def complaints_waiting(visit, items, problems):
    found = _answer(visit.backend.get("complaints", "/complaints", {
        "district": district_of(visit), "department": None if visit.is_("coordinator")
        else visit.officer["department"], "per_page": 200}), problems)
    for case in (found or {}).get("items", []):
        if case["status"] in ("answered", "closed", "merged"):
            continue
        dues = [d for d in (case.get("deadlines") or {}).values() if isinstance(d, str)]
        items.append({"due": min(dues) if dues else None, "href": f"/complaints/{case['id']}",
                      "kind": "投诉举报", "title": case.get("institution_name") or "—",
                      "detail": label(case["status"], "complaint_status")})


def tasks_behind(visit, items, problems):
    """Campaign tasks past their deadline and not done: in the officer's district, or
    in every district for the municipal office."""
    board = _answer(visit.backend.get("tasks", "/dashboard.json"), problems)
    mine = district_of(visit)
    for task in (board or {}).get("tasks", []):
        for district in task.get("districts", []):
            if district["status"] == "overdue" and mine in (None, district["district"]):
                items.append({"due": task["deadline"], "href": "/campaign", "kind": "任务逾期",
                              "title": f"{district['name']} · 任务 {task['task_no']}",
                              "detail": task["title"]})


GATHER = {
    "registrar": (suspended_and_reviews, unfiled_batches, orders_to_verify, tasks_behind),
    "inspector": (scheduled_inspections, orders_to_verify, suspended_and_reviews),
    "handler": (complaints_waiting,),
    "coordinator": (tasks_behind, complaints_waiting, suspended_and_reviews, orders_to_verify),
    "admin": (suspended_and_reviews,),
}
