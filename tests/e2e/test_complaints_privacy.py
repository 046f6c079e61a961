"""The privacy proof (issue 5): a reporter's phone number and e-mail address, put in
by this test on every channel, appear in no event of any service, no log line, no
other service's API, no response to anyone but a complaint handler, and nowhere in
plain text at rest. All services run as separate processes; their output is captured."""
import os
import subprocess
import sys

from otg import installation, runner
from shared import config
from support import Cluster, eventually, tiny_png

PHONE, EMAIL = "13912345678", "witness.parent@example.org"
SECRETS = (PHONE, EMAIL)
DISTRICT = "371002"


class LoggedCluster(Cluster):
    """A cluster whose services write stdout and stderr to `<log_dir>/<service>.log`."""

    def __init__(self, amqp_uri, data_dir, log_dir):
        super().__init__(amqp_uri, data_dir, {"PYTHONUNBUFFERED": "1"})
        self.log_dir = log_dir

    def start(self, *names, **env):
        for name in names:
            environment = {**os.environ, **self.env, **env}
            environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment["PATH"]
            log = open(self.log_dir / f"{name}.log", "ab")
            self.processes[name] = subprocess.Popen(runner.command(name), env=environment,
                                                    stdout=log, stderr=subprocess.STDOUT)
            log.close()
        for name in names:
            self.wait_healthy(name)
        return self

    def logs(self):
        return {path.name: path.read_text(errors="replace") for path in self.log_dir.glob("*.log")}


def leaks(text):
    return [secret for secret in SECRETS if secret in text]


def whole_feed(api):
    events, after = [], 0
    while True:
        page = api.get(f"/events?after={after}&limit=1000").json()
        if not page:
            return events
        events += page
        after = int(page[-1]["position"])


def report_on_every_channel(api, handler):
    """Reports carrying the phone and e-mail on each public and staff channel."""
    contact = {"name": "李女士", "phone": PHONE, "email": EMAIL}
    form = api.post("/report", data={"district": DISTRICT, "category": "prepaid_fee",
                                     "description": "预收学费后停课拒不退费", "institution_name": "启航学堂",
                                     "contact_phone": PHONE, "contact_email": EMAIL},
                    files=[("photos", ("receipt.png", tiny_png(), "image/png"))])
    web = api.post("/complaints", json={
        "district": DISTRICT, "category": "safety_hazard", "contact": contact,
        "description": f"教室没有灭火器，请回电 {PHONE} 或发邮件 {EMAIL}",
        "institution_name": f"王老师家教 {PHONE}", "address": "海滨路2号"})
    open311 = api.post("/open311/v2/requests.json", data={
        "jurisdiction_id": DISTRICT, "service_code": "advertising", "description": "违规发补课广告",
        "email": EMAIL, "phone": PHONE, "first_name": "Min"})
    hotline = api.post("/complaints/intake", handler, json={
        "channel": "hotline", "district": DISTRICT, "category": "art_exam",
        "description": "艺考集训机构无资质", "contact": contact})
    supervisor = api.post("/supervisors", handler, json={"district": DISTRICT, "name": "王监督员",
                                                         "phone": PHONE})
    refused = api.post("/complaints", json={"district": DISTRICT, "category": "other",
                                            "description": "x", "contact": {"phone": PHONE, "email": f"{EMAIL}@"}})
    assert [r.status_code for r in (form, web, open311, hotline, supervisor)] == [201] * 5
    assert refused.status_code == 400 and not leaks(refused.text)
    assert not leaks(form.text + web.text + open311.text)
    return web.json(), open311.json()[0]["service_request_id"]


def work_the_case(cluster, token, complaint_id):
    """Verification by inspection, an answer, and the reporter reopening."""
    complaints, inspection = cluster.api("complaints"), cluster.api("inspection")
    handler, inspector = token("handler", "education", DISTRICT), token("inspector", "education", DISTRICT)
    assert complaints.post(f"/complaints/{complaint_id}/verification-request", handler).ok
    check = eventually(lambda: inspection.get(f"/inspections?source={complaint_id}", inspector)
                       .json()["items"], timeout=20)[0]
    assert inspection.post(f"/inspections/{check['id']}/complete", inspector, json={}).ok
    eventually(lambda: complaints.get(f"/complaints/{complaint_id}", handler).json()["status"] == "verified",
               timeout=20)
    assert complaints.post(f"/complaints/{complaint_id}/answer", handler,
                           json={"text": "经核查未发现问题，感谢监督。"}).ok


def other_services_answers(cluster, names, token):
    """Every parameterless GET route of the other services, read with an admin token."""
    admin = token("admin", "education", "371000")
    answers = []
    for name in names:
        api = cluster.api(name)
        answers.append(api.get("/openapi.json").text)
        for path, operations in api.get("/openapi.json").json()["paths"].items():
            if "get" in operations and "{" not in path:
                answers.append(api.get(path, admin).text)
    return answers


def test_reporter_contact_details_never_leave_the_complaint_handlers(amqp_uri, tmp_path, token):
    names = installation.services()
    cluster = LoggedCluster(amqp_uri, tmp_path / "data", tmp_path)
    try:
        cluster.start(*names)
        complaints, handler = cluster.api("complaints"), token("handler", "education", DISTRICT)
        receipt, request_id = report_on_every_channel(complaints, handler)
        complaint_id, code = receipt["complaint_id"], receipt["tracking_code"]
        work_the_case(cluster, token, complaint_id)
        assert complaints.post(f"/track/{code}/reopen", json={"reason": "仍未整改"}).ok

        # the handler sees it all: the test can fail
        case = complaints.get(f"/complaints/{complaint_id}", handler).json()
        assert complaints.get(case["contact_url"], handler).json()["contact"] == {
            "name": "李女士", "phone": PHONE, "email": EMAIL}
        assert PHONE in case["description"]

        public = [complaints.get(f"/track/{code}").text, complaints.get(f"/report/track?code={code}").text,
                  complaints.get("/open311/v2/requests.json").text,
                  complaints.get(f"/open311/v2/requests/{request_id}.json").text]
        others = [complaints.get(f"/complaints/{complaint_id}", token(role, "education", DISTRICT)).text
                  for role in ("registrar", "inspector", "school", "publisher", "admin")]
        others += [complaints.get("/complaints", token("admin", "education", "371000")).text]
        assert not leaks("".join(public + others))

        feeds = {name: whole_feed(cluster.api(name)) for name in names}
        assert any(e["type"].endswith("ComplaintReceived.v1") for e in feeds["complaints"])
        assert not leaks(repr(feeds))
        assert not leaks("".join(other_services_answers(cluster, [n for n in names if n != "complaints"],
                                                        token)))
    finally:
        cluster.stop_all()

    logs = cluster.logs()
    assert "complaints.log" in logs and "received via" in logs["complaints.log"]
    assert {name: leaks(text) for name, text in logs.items() if leaks(text)} == {}
    stored = b"".join(path.read_bytes() for path in (tmp_path / "data").rglob("*") if path.is_file())
    assert not [s for s in SECRETS if s.encode() in stored]  # encrypted at rest, in every file
