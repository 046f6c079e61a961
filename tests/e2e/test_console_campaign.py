"""Issue 10's campaign jobs through the console (real processes, HTTP as a browser
sends it): a coordinator names a lagging district; a school uploads its ledger."""
from pathlib import Path

from consoling import add_officer, csrf_in, otg_officers, signed_in
from support import eventually

PLAN = Path(__file__).parents[2] / "deploy" / "plans" / "weihai-2024-winter.yaml"
CAMPAIGN = "weihai-2024-winter"


def test_a_coordinator_names_a_lagging_district_and_a_school_uploads_its_ledger(cluster, token):
    cluster.start("console", "tasks", OTG_PUPIL_KEY="5f0c9e2a7d41b3e8a6c2f9d0e1b47a3c8d2e6f1a9b0c7d4e3f2a1b8c9d0e7f6a")
    tasks = cluster.api("tasks")
    assert tasks.post("/campaigns", token("coordinator", "education", "371000"),
                      data=PLAN.read_bytes(), headers={"Content-Type": "application/yaml"}).ok
    assert tasks.post("/schools", token("registrar", "education", "371073"), json={
        "school_id": "lg-001", "name": "临港区第一小学", "district": "371073"}).ok

    coordinator = signed_in(cluster, "city", add_officer(cluster, "city", "coordinator",
                                                         district="371000"))
    page = coordinator.get(coordinator.base + "/campaign")
    assert page.ok and "临港区" in page.text and "通报进度滞后的区市" in page.text
    named = coordinator.post(f"{coordinator.base}/campaign/{CAMPAIGN}/naming", data={
        "csrf": csrf_in(page.text), "district": "371073", "reasons": "实施方案未按期报送\n摸底未开展"})
    assert named.ok and "已办理" in named.text, named.text[:400]
    assert eventually(lambda: "已通报" in coordinator.get(coordinator.base + "/campaign").text)

    school = signed_in(cluster, "lg-school", add_officer(cluster, "lg-school", "school",
                                                         district="371073", school="lg-001"))
    page = school.get(school.base + "/campaign")
    assert "本校编号：<strong>lg-001</strong>" in page.text and 'name="school_id"' not in page.text
    ledger = ("pupil_id,pupil_name,grade,class,institution_name,credit_code,course\n"
              "G37107300001,王小明,三年级,2班,未登记的补习班,,数学\n").encode()
    bad = school.post(f"{school.base}/campaign/{CAMPAIGN}/ledger", data={"csrf": csrf_in(page.text)})
    assert bad.status_code == 400  # no file: the service's answer, beside the form
    sent = school.post(f"{school.base}/campaign/{CAMPAIGN}/ledger",  # the school is the account's
                       data={"csrf": csrf_in(page.text), "school_id": "someone-else"},
                       files={"file": ("ledger.csv", ledger, "text/csv")})
    assert sent.ok and "已办理" in sent.text, sent.text[:400]
    returns = tasks.get("/surveys/lg-001", token("school", "education", "371073")).json()
    assert "王小明" not in str(returns) and returns


def test_a_school_account_is_added_with_its_school_and_only_a_school_account_has_one(cluster):
    no_school = otg_officers(cluster, "add", "--login", "s1", "--name", "校长", "--role", "school",
                             "--department", "education", "--district", "371073")
    assert no_school.returncode == 2 and "--school" in no_school.stderr
    not_a_school = otg_officers(cluster, "add", "--login", "r1", "--name", "王", "--role", "registrar",
                                "--department", "education", "--district", "371073", "--school", "lg-001")
    assert not_a_school.returncode == 2 and "--school" in not_a_school.stderr
    added = otg_officers(cluster, "add", "--login", "s2", "--name", "校长", "--role", "school",
                         "--department", "education", "--district", "371073", "--school", "lg-001")
    assert added.returncode == 0, added.stderr
    listed = otg_officers(cluster, "list").stdout
    assert "school/education/371073/lg-001" in listed and "s1 " not in listed and "r1 " not in listed
