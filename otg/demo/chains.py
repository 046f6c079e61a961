"""The chains of the plan, played by the demo (ARCHITECTURE.md, "The chains"): a
critical hazard (⇒ suspension, black-list review, exposed case), a parent's complaint
verified on site and answered, a school's survey lead, rectification and the review's
decision, and a deadline passing with a district behind (⇒ TaskOverdue, naming).
Each step is an HTTP call; what follows from it arrives as events on the timeline."""
from shared import config
from shared.vocabulary import CATEGORIES as SUPERVISING, DISTRICTS, LOCAL_DISTRICTS

from .client import DemoError, wait_until
from .clock import day


def hazard(c):
    place = c.data.hazard
    institution_id, district = c.institution_id(place), place["district"]
    c.at(day(22, 15, 30), "安全专项检查发现重大隐患（任务6） · a special safety inspection finds a critical hazard")
    fire = ("inspector", "fire", district)
    inspection = c.call("POST", "inspection", "/inspections", fire, json={
        "institution_id": institution_id, "kind": "safety", "modes": ["unannounced", "joint", "day"],
        "departments": ["education", "fire"], "focus": ["fire_safety"]})
    c.call("POST", "inspection", f"/inspections/{inspection['id']}/findings", fire, json={
        "item": "fire.evacuation", "severity": "critical",
        "description": "二楼安全出口被铁链锁闭，疏散走道堆放桌椅，培训正在进行"})
    concerns = lambda data: data.get("institution_id") == institution_id  # noqa: E731
    c.timeline.wait_for("registry", "InstitutionSuspended", concerns)
    c.timeline.wait_for("registry", "BlacklistReviewOpened", concerns)
    case = c.timeline.wait_for("disclosure", "CaseExposed", concerns)
    completed = c.call("POST", "inspection", f"/inspections/{inspection['id']}/complete", fire, json={})
    c.result["hazard"] = {"institution_id": institution_id,
                          "order_id": completed["rectification_order_id"]}
    c.result["case_id"] = case["case_id"]  # the banner links the public case page
    c.note(f"公示网站上的案例 · the public case page: "
           f"{config.service_url('disclosure')}/cases/{case['case_id']}")


def complaint(c):
    place = c.data.complained
    district = place["district"]
    c.at(day(23, 9, 10), "家长网上举报预收费问题 · a parent reports a prepaid-fee problem on the web form")
    receipt = c.call("POST", "complaints", "/complaints", json={
        "district": district, "category": "prepaid_fee",
        "description": "孩子报名的培训班一次性预收一年学费9800元，现以场地调整为由停课，多次要求退费未果。",
        "institution_name": place["name"], "address": place["address"],
        "contact": {"phone": "13800000000"}})
    code = receipt["tracking_code"]
    c.note(f"举报人拿到查询码 {code}；联系方式加密保存，不进入任何事件 · "
           "the reporter's phone stays encrypted, out of every event")
    handler = verify_on_site(c, receipt["complaint_id"], district, day(23, 9, 40), day(23, 14), {
        "item": "enforcement.prepaid_fee", "severity": "major",
        "description": "预收费超过3个月课时，未使用预收费资金监管账户"})
    c.clock.set(day(23, 16, 30))
    c.call("POST", "complaints", f"/complaints/{receipt['complaint_id']}/answer", handler, json={
        "text": "经现场核查，反映问题属实。已责令该机构限期退还预收费用并整改收费行为，我们将跟踪落实。"})
    tracked = c.call("GET", "complaints", f"/track/{code}")  # what the reporter's page shows
    c.note(f"举报人用查询码看到 · the reporter sees: {tracked['status_label']} — {tracked['answer']['text']}")
    c.result["tracking_code"] = code


def survey_lead(c):
    if not c.has_tasks:
        return
    school = c.data.lead_school
    report = c.timeline.wait_for("tasks", "UnlistedInstitutionReported",
                                 lambda d: d.get("school_id") == school["school_id"])
    lead = c.timeline.wait_for("complaints", "ComplaintReceived",
                               lambda d: d.get("report_id") == report["report_id"])
    c.at(day(24, 19, 30), "学校台账线索：名单外机构，夜间突击核查 · a school's lead, checked on site at night")
    c.note(f"{school['name']}的台账：{report['pupil_count']} 名学生在“{report['institution_name']}”培训，"
           "该机构不在白名单 · pupils at an institution on no list (counts only, never pupils)")
    handler = verify_on_site(c, lead["complaint_id"], school["district"], day(24, 19, 35),
                             day(24, 20, 10), {
                                 "item": "enforcement.unlicensed", "severity": "major",
                                 "description": "现场无办学许可证和营业执照，在居民楼内面向小学生开展数学培优"},
                             check={"modes": ["night"]})
    c.timeline.wait_for("disclosure", "CaseExposed", lambda d: d.get("kind") == "unlicensed")
    c.clock.set(day(25, 9))
    case = f"/complaints/{lead['complaint_id']}"
    c.call("POST", "complaints", f"{case}/answer", handler, json={
        "text": "经夜间突击核查，该场所无证无照开展学科类培训，已依法责令停止办学并公开曝光。"})
    c.call("POST", "complaints", f"{case}/close", handler, json={})


def verify_on_site(c, complaint_id, district, acknowledged_at, checked_at, finding, check=None):
    """Chain 3: the lead department accepts the case and asks for an on-site check,
    inspection schedules it (VerificationRequested), the inspector records what was
    found; the completed check verifies the complaint. Returns the handler."""
    assigned = c.timeline.wait_for("complaints", "ComplaintAssigned",
                                   lambda d: d.get("complaint_id") == complaint_id)
    handler = ("handler", assigned["lead_department"], district)
    c.clock.set(acknowledged_at)
    c.call("POST", "complaints", f"/complaints/{complaint_id}/acknowledge", handler)
    c.call("POST", "complaints", f"/complaints/{complaint_id}/verification-request", handler,
           json=check or {})
    check = c.timeline.wait_for("inspection", "InspectionScheduled",
                                lambda d: d.get("source") == complaint_id)
    c.clock.set(checked_at)
    inspector = ("inspector", check["departments"][0], district)
    path = f"/inspections/{check['inspection_id']}"
    c.call("POST", "inspection", f"{path}/findings", inspector, json=finding)
    c.call("POST", "inspection", f"{path}/complete", inspector,
           json={"officers": officers_present(check["departments"][0], district)})
    c.timeline.wait_for("complaints", "ComplaintVerified",
                        lambda d: d.get("complaint_id") == complaint_id)
    return handler


def officers_present(department, district):
    """An enforcement check's two officers (ids of the demo's accounts, never names),
    with their certificate numbers (执法证号)."""
    return [{"officer_id": f"demo-{department}-{district}-{n}",
             "certificate": f"{district}{DEPARTMENT_CODES[department]}{n:04d}"} for n in (1, 2)]


DEPARTMENT_CODES = {"education": "01", "culture_tourism": "02", "sports": "03",
                    "market_regulation": "04", "public_security": "05", "fire": "06"}


def rectified(c):
    place, hazard_case = c.data.hazard, c.result["hazard"]
    district, institution_id = place["district"], hazard_case["institution_id"]
    supervisor = ("registrar", SUPERVISING[place["category"]], district)
    order = f"/rectifications/{hazard_case['order_id']}"
    c.at(day(25, 10), "整改复查合格，恢复营业，黑名单审查作出结论 · rectified, reinstated, the review decided")
    c.call("POST", "inspection", f"{order}/report", supervisor, json={})
    c.clock.set(day(25, 15))
    c.call("POST", "inspection", f"{order}/verify",
           ("inspector", "fire", district), json={"passed": True})
    c.timeline.wait_for("registry", "InstitutionReinstated",
                        lambda d: d.get("institution_id") == institution_id)
    c.clock.set(day(25, 16))
    c.call("POST", "registry", f"/institutions/{institution_id}/review/decision", supervisor, json={
        "decision": "cleared",
        "reason": "隐患已整改并经消防复查合格，负责人已接受约谈，暂不列入黑名单"})


def deadline(c):
    if not c.tasks_here("the deadline of tasks 1-5"):
        return
    lagging = c.data.lagging
    c.at(day(26, 17), "截止日：核对各区市进度 · 26 January, the deadline of tasks 1-5")
    on_time = [d for d in LOCAL_DISTRICTS if d != lagging]
    behind = _not_done(c, on_time)
    if behind:
        c.note(f"注意 · note: {', '.join(DISTRICTS[d] for d in behind)} not done in time either")
    else:
        c.note(f"{len(on_time)} 个区市已完成任务1-5，{DISTRICTS[lagging]}未完成 · "
               f"{len(on_time)} districts have done tasks 1-5, one has not")
    c.at(day(27, 9), "截止日已过 · the deadline has passed")
    c.timeline.wait_for("tasks", "TaskOverdue", lambda d: d.get("district") == lagging)
    c.timeline.settle(quiet=2.5)
    c.clock.set(day(27, 10))
    c.call("POST", "tasks", f"/campaigns/weihai-2024-winter/districts/{lagging}/naming",
           ("coordinator", "education", "371000"), json={})
    c.timeline.wait_for("disclosure", "NoticePublished", lambda d: d.get("district") == lagging)
    c.note(f"市教育局公开通报{DISTRICTS[lagging]} · the municipal office names it publicly: "
           f"{config.service_url('disclosure')}/notices")
    c.result["lagging"] = lagging


def _not_done(c, districts, tasks=(1, 2, 3, 4, 5), timeout=90):
    """The districts whose tasks 1-5 are not all done (waiting for the facts to arrive)."""
    def behind():
        return [d for d in districts if any(
            t["status"] != "done" for t in c.call("GET", "tasks", f"/progress?district={d}")["tasks"]
            if t["task_no"] in tasks)]
    try:
        wait_until(lambda: not behind(), "the other districts to finish tasks 1-5", timeout=timeout)
        return []
    except DemoError:
        return behind()
