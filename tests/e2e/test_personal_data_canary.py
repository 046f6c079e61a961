"""The canary scan (issue 13): personal data typed, in the forms people type it, into every
free-text input of every service never appears on the bus, in a feed, on a public page, in
a log line or in an error. All five services run as processes with their output captured;
a tap queue bound to every exchange records what the bus carried."""
import json
import re
import unicodedata

from kombu import Connection, Exchange, Queue

from otg import installation
from shared import config
from shared.creditcode import complete
from support import eventually

DISTRICT = "371002"
MOBILE, LANDLINE, DOTTED = "1390 531 8642", "0631 521 2345", "139.5310.0196"
WIDE, ID_NUMBER = "１３８　１２３４　５６７８", "371002 19880808 1239"
EMAIL, CARD = "canary.parent @ example.org", "6222 0212 3456 7890 128"
CANARY = (f"家长王某电话 {MOBILE}，座机 {LANDLINE}，{DOTTED}，{WIDE}；身份证 {ID_NUMBER}；"
          f"邮箱 {EMAIL}；卡号 {CARD}")
LICENCES = [{"kind": "school_permit", "number": "P-1", "valid_until": "2030-12-31"},
            {"kind": "business_licence", "number": "B-1", "valid_until": "2030-12-31"}]


def _plain(text):
    """Full-width folded, separators dropped: `139.5310.0196` is found as `13953100196`."""
    return re.sub(r"[\s.\-()]", "", unicodedata.normalize("NFKC", text)).lower()


CANARIES = [_plain(value) for value in (MOBILE, LANDLINE, DOTTED, WIDE, ID_NUMBER, EMAIL, CARD)]


def leaks(text):
    plain = _plain(text)
    return [canary for canary in CANARIES if canary in plain]


def readable(answer):
    """An answer's text with JSON \\u escapes decoded (full-width digits hide behind them)."""
    try:
        return json.dumps(answer.json(), ensure_ascii=False)
    except ValueError:
        return answer.text


def tap(amqp_uri):
    """A queue bound to every service's exchange, declared as the services declare them."""
    with Connection(amqp_uri) as conn:
        for name in config.SERVICES:
            Queue("canary-tap", Exchange(f"{name}.events", type="topic", durable=True),
                  routing_key="#", durable=True)(conn.channel()).declare()


def tapped(amqp_uri):
    messages = []
    with Connection(amqp_uri) as conn:
        queue = Queue("canary-tap")(conn.channel())
        while (message := queue.get(no_ack=True)) is not None:
            body = message.body.decode() if isinstance(message.body, bytes) else message.body
            messages.append(body + json.dumps(message.headers, ensure_ascii=False))
    return messages


def ok(answer):
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def registry_inputs(registry, token):
    """An institution whose name and address hold contact details, suspended, reinstated,
    reviewed, black-listed and closed, each with the canary as its reason."""
    registrar = token("registrar", "culture_tourism", DISTRICT)
    institution = ok(registry.post("/institutions", registrar, json={
        "name": f"海星艺术培训学校（联系 {MOBILE}）", "credit_code": complete("91371002MA3C00042"),
        "district": DISTRICT, "category": "arts", "address": f"海滨路1号 {LANDLINE}",
        "licences": LICENCES}))["id"]
    for action, body in (("suspend", {"reason": CANARY}), ("reinstate", {"reason": CANARY}),
                         ("review", {"reason": CANARY}),
                         ("review/decision", {"decision": "blacklisted", "reason": CANARY}),
                         ("close", {"reason": CANARY})):
        ok(registry.post(f"/institutions/{institution}/{action}", registrar, json=body))
    return institution


def complaint_inputs(complaints, token):
    """A report naming an unlisted institution by a phone number, verification requested."""
    handler = token("handler", "education", DISTRICT)
    receipt = ok(complaints.post("/complaints", json={
        "district": DISTRICT, "category": "unlicensed", "description": CANARY,
        "institution_name": f"王老师家教 {MOBILE}", "address": f"海滨路9号 {ID_NUMBER} {EMAIL}",
        "contact": {"name": "王某", "phone": "13905318642", "email": "canary.parent@example.org"}}))
    ok(complaints.post(f"/complaints/{receipt['complaint_id']}/verification-request", handler))
    return receipt


OFFICERS = [{"officer_id": "off-1", "certificate": "37100219001"},  # enforcement checks need two
            {"officer_id": "off-2", "certificate": "37100219002"}]


def inspection_inputs(inspection, token, complaint_id):
    """The check the complaint asked for, and a patrol's unregistered site: both unlicensed."""
    inspector = token("inspector", "education", DISTRICT)
    check = eventually(lambda: inspection.get(f"/inspections?source={complaint_id}", inspector)
                       .json()["items"], timeout=30)[0]
    patrol = ok(inspection.post("/inspections", inspector, json={
        "kind": "enforcement", "district": DISTRICT, "site_name": f"无证托管点 {DOTTED}",
        "site_address": f"文化路3号 {WIDE} {CARD}"}))
    for inspection_id in (check["id"], patrol["id"]):
        ok(inspection.post(f"/inspections/{inspection_id}/findings", inspector, json={
            "item": "enforcement.unlicensed", "severity": "major", "description": CANARY}))
        ok(inspection.post(f"/inspections/{inspection_id}/complete", inspector, json={"officers": OFFICERS}))


def tasks_inputs(tasks, token):
    """A school's ledger naming an unlisted institution by a phone number; a district named."""
    from pathlib import Path
    plan = Path(__file__).parents[2] / "deploy" / "plans" / "weihai-2024-winter.yaml"
    coordinator = token("coordinator", "education", "371000")
    ok(tasks.post("/campaigns", coordinator, data=plan.read_bytes(),
                  headers={"Content-Type": "application/yaml"}))
    ok(tasks.post("/schools", token("registrar", "education", DISTRICT),
                  json={"school_id": "hc-001", "name": "环翠区第一实验小学", "district": DISTRICT}))
    ledger = ("pupil_id,pupil_name,grade,class,institution_name,credit_code,course\n"
              f"G371002000001,王小明,三年级,2班,李老师托管 {LANDLINE},,{MOBILE}\n").encode()
    ok(tasks.post("/surveys", token("school", "education", DISTRICT), data={"school_id": "hc-001"},
                  files={"file": ("台账.csv", ledger)}))
    ok(tasks.post(f"/campaigns/weihai-2024-winter/districts/{DISTRICT}/naming", coordinator,
                  json={"reasons": [CANARY]}))


def disclosure_inputs(disclosure, token, expected_cases):
    """A publisher corrects one case and withdraws another, the canary in every field."""
    publisher = token("publisher", "education", DISTRICT)
    cases = eventually(lambda: (lambda items: items if len(items) >= expected_cases else None)(
        disclosure.get("/api/cases").json()["items"]), timeout=30)
    ok(disclosure.post(f"/api/cases/{cases[0]['case_id']}/correct", publisher, json={
        "reason": CANARY, "summary": CANARY, "decision": CANARY,
        "institution_name": f"更正名称 {MOBILE}", "address": f"更正地址 {LANDLINE}"}))
    ok(disclosure.post(f"/api/cases/{cases[1]['case_id']}/withdraw", publisher, json={"reason": CANARY}))
    return [case["case_id"] for case in cases]


def refusals(cluster, token):
    """Bad input holding the canary: the errors must not echo it."""
    registrar = token("registrar", "culture_tourism", DISTRICT)
    return [cluster.api("registry").post("/institutions", registrar, json={
                "name": CANARY * 3, "address": CANARY, "credit_code": CANARY}),
            cluster.api("complaints").post("/complaints", json={
                "district": CANARY, "category": CANARY, "description": CANARY, "contact": CANARY}),
            cluster.api("complaints").post("/complaints", json={
                "district": DISTRICT, "category": "other", "description": CANARY,
                "contact": {"phone": CANARY, "email": EMAIL}}),
            cluster.api("inspection").post("/inspections", token("inspector", "education", DISTRICT),
                                           json={"kind": CANARY, "site_name": CANARY * 5}),
            cluster.api("tasks").post("/campaigns/weihai-2024-winter/districts/371003/naming",
                                      token("coordinator", "education", "371000"),
                                      json={"reasons": CANARY})]


def public_pages(cluster, case_ids, tracking_code):
    disclosure, complaints, tasks = (cluster.api(n) for n in ("disclosure", "complaints", "tasks"))
    paths = ["/", f"/districts/{DISTRICT}", f"/districts/{DISTRICT}/black", "/cases", "/notices",
             "/feed.atom", "/api/cases", "/api/notices", "/api/lists/black", "/search?q=培训",
             "/api/institutions?q=培训", f"/lists/black.csv?district={DISTRICT}"]
    paths += [f"/cases/{case_id}" for case_id in case_ids] + [f"/api/cases/{c}" for c in case_ids]
    answers = [disclosure.get(path) for path in paths]
    answers += [complaints.get(f"/track/{tracking_code}"), complaints.get("/open311/v2/requests.json"),
                tasks.get("/dashboard"), tasks.get("/dashboard.json"), tasks.get("/scoreboard")]
    assert all(answer.ok for answer in answers), [(a.url, a.status_code) for a in answers if not a.ok]
    return answers


def whole_feed(api):
    """Read as an integrator does, with a feed token (tests/support.Api sends one)."""
    events, after = [], 0
    while page := api.get(f"/events?after={after}&limit=1000").json():
        events += page
        after = int(page[-1]["position"])
    return events


def test_personal_data_typed_into_any_input_never_leaves_its_service(cluster, amqp_uri, tmp_path, token):
    tap(amqp_uri)
    cluster.start(*installation.services(), log_dir=tmp_path)
    apis = {name: cluster.api(name) for name in installation.services()}
    registry_inputs(apis["registry"], token)
    receipt = complaint_inputs(apis["complaints"], token)
    inspection_inputs(apis["inspection"], token, receipt["complaint_id"])
    tasks_inputs(apis["tasks"], token)
    case_ids = disclosure_inputs(apis["disclosure"], token, expected_cases=3)
    lead = eventually(lambda: apis["complaints"].get("/complaints?channel=school_survey", token(
        "handler", "education", DISTRICT)).json()["items"], timeout=30)
    eventually(lambda: apis["disclosure"].get("/api/notices").json()["items"], timeout=30)

    # the canary did go in: the staff who need the free text see it (so this test can fail)
    handler = token("handler", "education", DISTRICT)
    assert leaks(readable(apis["complaints"].get(f"/complaints/{receipt['complaint_id']}", handler)))
    assert len(lead) == 1

    errors = refusals(cluster, token)
    assert [answer.status_code for answer in errors] == [400] * len(errors), [a.text for a in errors]
    places = {
        "bus": "\n".join(tapped(amqp_uri)),
        "feeds": json.dumps([whole_feed(api) for api in apis.values()], ensure_ascii=False),
        "public pages": "\n".join(readable(a) for a in public_pages(cluster, case_ids, receipt["tracking_code"])),
        "errors": "\n".join(readable(answer) for answer in errors),
    }
    cluster.stop_all()
    places["logs"] = "\n".join(path.read_text(errors="replace") for path in tmp_path.glob("*.log"))
    assert "InstitutionSuspended" in places["bus"] and "CaseExposed" in places["feeds"]
    assert "家长王某电话 ***" in places["public pages"]  # the reasons were published, masked
    assert {place: leaks(text) for place, text in places.items() if leaks(text)} == {}
