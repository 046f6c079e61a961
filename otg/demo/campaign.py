"""The demo's campaign: the Weihai 2024 winter plan played through the services' real
HTTP APIs, day by day on the campaign clock (OTG_CLOCK_FILE), by the officials the
plan names (tokens from `shared.auth.issue`). The routine work of the districts is
here; the chains the plan demands (hazard, complaint, survey lead, deadline) in chains.py."""
import csv
import io

from otg import runner
from shared.progress import Progress
from shared.vocabulary import CATEGORIES as SUPERVISING, CITY, DISTRICTS, LOCAL_DISTRICTS

from . import chains, dataset
from .client import wait_until
from .clock import day

PLAN = runner.ROOT / "deploy" / "plans" / "weihai-2024-winter.yaml"
CAMPAIGN = "weihai-2024-winter"
COORDINATOR = ("coordinator", "education", CITY)
SELF_CHECKLIST = "fire_nine_rules"
DRILLS = "fire.training_drills"  # the item a few self-inspections fail (minor)


class Campaign:
    def __init__(self, client, timeline, data, clock, services):
        self.client, self.timeline, self.data, self.clock = client, timeline, data, clock
        self.has_tasks = "tasks" in services
        self.ids = {}      # district -> the registry's ids of its institutions, in data set order
        self.by_id = {}    # registry id -> the data set's institution
        self.white = {}    # district -> institutions of its published white list
        self.result = {}   # what the final summary shows (case, tracking code, …)

    def play(self):
        for chapter in (Campaign.opening, Campaign.district_plans, Campaign.lists,
                        Campaign.self_inspections, chains.hazard, chains.complaint,
                        Campaign.surveys, chains.survey_lead, chains.rectified, chains.deadline):
            chapter(self)
        self.timeline.settle()
        return self.result

    # -- helpers for the chapters ----------------------------------------------------
    def at(self, when, title):
        """Move the campaign clock and open a chapter of the timeline."""
        self.timeline.settle()
        self.clock.set(when)
        self.timeline.chapter(when, title)

    def note(self, text):
        self.timeline.note(text)

    def tasks_here(self, what):
        if not self.has_tasks:
            self.timeline.settle()
            self.note(f"(tasks 服务未安装 · the tasks service is not installed: {what} skipped)")
        return self.has_tasks

    def institution_id(self, institution):
        return next(i for i, known in self.by_id.items() if known is institution)

    def call(self, method, service, path, as_=None, **kwargs):
        return self.client.call(method, service, path, as_, **kwargs)

    # -- the routine work of the districts ------------------------------------------------
    def opening(self):
        self.at(day(15, 9), "专项行动启动，各区市登记机构 · the campaign starts, institutions are registered")
        if self.tasks_here("loading the plan"):
            self.call("POST", "tasks", "/campaigns", COORDINATOR, data=PLAN.read_bytes(),
                      headers={"Content-Type": "application/yaml"}, expect=(201, 409))
        schools = self.data.schools if self.has_tasks else []
        with Progress("loading the data set", total=len(self.data.institutions) + len(schools),
                      unit="records") as progress:
            for district in LOCAL_DISTRICTS:
                rows = self.data.institutions_in(district)
                answer = self.call("POST", "registry", "/institutions/import",
                                   ("registrar", "education", district), json={"institutions": rows})
                self.ids[district] = answer["ids"]
                self.by_id.update(zip(answer["ids"], rows))
                progress.advance(len(rows))
            if schools:
                self.call("POST", "tasks", "/schools/import", COORDINATOR,
                          files={"file": ("schools.csv", _schools_csv(schools), "text/csv")})
                progress.advance(len(schools))
        self.note(f"{len(self.data.institutions)} 家机构、{len(self.data.schools)} 所学校已登记 · "
                  "institutions and schools registered in the 8 districts")
        self._wait_for_directories()

    def _wait_for_directories(self):
        """Inspection (and tasks) know the institutions from the registry's events."""
        for district, ids in self.ids.items():
            wait_until(lambda: self.call("GET", "inspection", f"/coverage?district={district}",
                                         COORDINATOR)["institutions"] >= len(ids),
                       f"inspection to know {district}'s institutions")
            if self.has_tasks:
                wait_until(lambda: (self._denominator(district) or 0) >= len(ids),
                           f"tasks to count {district}'s institutions")

    def _denominator(self, district):
        """How many institutions tasks counts for the district (task 3's share)."""
        progress = self.call("GET", "tasks", f"/progress?district={district}")
        task = next(t for t in progress["tasks"] if t["task_no"] == 3)
        return task["details"].get("denominator")

    def district_plans(self):
        self.at(day(16, 10), "各区市报送实施方案（任务1） · districts file their implementation plans")
        if not self.tasks_here("task 1"):
            return
        for district in LOCAL_DISTRICTS:
            document = dataset.plan_document(district, "2024年寒假期间校外培训治理工作")
            self.call("POST", "tasks", f"/campaigns/{CAMPAIGN}/implementation-plans",
                      ("registrar", "education", district), data={"district": district},
                      files={"file": (f"plan-{district}.md", document, "text/markdown")})

    def lists(self):
        self.at(day(18, 10), "公布并报备黑白名单（任务2） · white and black lists published and filed")
        for district in LOCAL_DISTRICTS:
            registrar = ("registrar", "education", district)
            for name in ("white", "black"):
                batch = self.call("POST", "registry", f"/lists/{name}/batches", registrar,
                                  json={"district": district})
                self.call("POST", "registry", f"/lists/{name}/batches/{batch['batch_no']}/file",
                          registrar, json={"district": district})
                if name == "white":
                    self.white[district] = [self.by_id[i] for i in batch["institution_ids"]]
        listed = sum(len(w) for w in self.white.values())
        self.note(f"白名单 {listed} 家，{len(self.data.institutions) - listed} 家证照不全未列入 · "
                  "white-listed; the others lack a permit")

    def self_inspections(self):
        self.at(day(19, 9), "机构安全自查（任务3） · safety self-inspections (nine fire-safety rules)")
        checklist = self.call("GET", "inspection", f"/checklists/{SELF_CHECKLIST}")
        items = [item["id"] for item in checklist["items"]]
        for n, district in enumerate(LOCAL_DISTRICTS):
            self.clock.set(day(19 + n * 3 // len(LOCAL_DISTRICTS), 9 + 2 * (n % 4)))
            ids = self.ids[district]
            if district == self.data.lagging:
                ids = ids[:max(1, len(ids) * 3 // 5)]
                self.note(f"{DISTRICTS[district]}只完成 {len(ids)}/{len(self.ids[district])} 家自查 · "
                          "falls behind")
            for institution_id in ids:
                self._self_inspect(institution_id, items)

    def _self_inspect(self, institution_id, items):
        institution = self.by_id[institution_id]
        failing = sum(map(ord, institution["credit_code"])) % 17 == 0  # about 1 in 17
        answers = [{"item": item, "result": "pass"} for item in items]
        if failing:
            drills = items.index(DRILLS) if DRILLS in items else len(items) - 1
            answers[drills] = {"item": items[drills], "result": "fail", "severity": "minor",
                               "note": "疏散演练记录不全，已安排补充演练"}
        self.call("POST", "inspection", "/self-inspections",
                  ("registrar", SUPERVISING[institution["category"]], institution["district"]),
                  json={"institution_id": institution_id, "checklist": SELF_CHECKLIST,
                        "answers": answers})

    def surveys(self):
        self.at(day(24, 10), "学校摸底与家长会（任务4、5） · schools return pupil ledgers and hold meetings")
        if not self.tasks_here("tasks 4 and 5"):
            return
        late = self.data.schools_in(self.data.lagging)[-1]
        for school in self.data.schools:
            if school is not late:
                self._school_returns(school)
        self.note(f"{late['name']}未报送台账、未开家长会 · has not returned its ledger nor met parents")

    def _school_returns(self, school):
        district = school["district"]
        offerings = [i for i in self.white.get(district, ()) if i is not self.data.hazard]
        ledger = dataset.ledger(self.data.seed, school, offerings,
                                unlisted=school is self.data.lead_school)
        as_school = ("school", "education", district)
        self.call("POST", "tasks", "/surveys", as_school, data={"school_id": school["school_id"]},
                  files={"file": ("ledger.csv", ledger, "text/csv")})
        self.call("POST", "tasks", "/meetings", as_school, json={
            "school_id": school["school_id"], "parent_meetings": 1, "class_meetings": 2})


def _schools_csv(schools):
    out = io.StringIO()
    writer = csv.DictWriter(out, ["school_id", "name", "district"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(schools)
    return out.getvalue().encode("utf-8")
