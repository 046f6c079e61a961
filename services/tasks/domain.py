"""Tasks rules: campaigns, each district's part in one (completion, overdue,
naming), schools and their returns. No I/O here: commands check the rules and
trigger events; `today` is always passed in (the campaign's local date)."""
import uuid
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from shared.aggregate import Aggregate, applies
from shared.directory import normalize_name
from shared.errors import Conflict

from . import events as ev
from .measures import measure


class Plan:
    """A validated plan (the dict CampaignStarted carries) with date helpers."""

    def __init__(self, data):
        self.data = data
        self.id = data["campaign_id"]
        self.title = data["title"]
        self.districts = list(data["districts"])
        self.tasks = sorted(data["tasks"], key=lambda t: t["task_no"])
        self.zone = ZoneInfo(data.get("timezone") or "Asia/Shanghai")
        self.starts_on = date.fromisoformat(data["starts_on"])

    def today(self, now):
        """The campaign's local date at instant `now` (deadlines are local dates)."""
        return now.astimezone(self.zone).date()

    def since(self):
        """The start as a UTC instant text, comparable with mirrored fact times."""
        start = datetime.combine(self.starts_on, time.min, tzinfo=self.zone)
        return start.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")

    def task(self, task_no):
        return next(t for t in self.tasks if t["task_no"] == task_no)

    @staticmethod
    def deadline(task):
        return date.fromisoformat(task["deadline"])

    def measure_all(self, facts):
        return {t["task_no"]: measure(t, facts) for t in self.tasks}

    def status(self, task, measured, record, today):
        """done | overdue | on_track; done is kept once TaskCompleted was emitted."""
        if record.get("completed_on") or measured.done:
            return "done"
        return "overdue" if today > self.deadline(task) else "on_track"


class Campaign(Aggregate):
    def __init__(self, id):
        super().__init__(id)
        self.plan = None  # a Plan once started

    @staticmethod
    def stream_id(campaign_id):
        return f"campaign-{campaign_id}"

    @classmethod
    def start(cls, plan_data):
        campaign = cls(cls.stream_id(plan_data["campaign_id"]))
        campaign.trigger(ev.CampaignStarted, campaign_id=plan_data["campaign_id"],
                         title=plan_data["title"], starts_on=plan_data["starts_on"],
                         plan=plan_data)
        return campaign

    @applies(ev.CampaignStarted)
    def _started(self, event):
        self.plan = Plan(event.plan)


class DistrictCampaign(Aggregate):
    """One district's part in one campaign: the decisions that must happen once."""

    @staticmethod
    def stream_id(campaign_id, district):
        # `/`: no id may hold it (schemas.Id), while `-` would let campaign `x-371002`
        # share the stream of campaign `x`'s district 371002
        return f"campaign-{campaign_id}/{district}"

    def __init__(self, id):
        super().__init__(id)
        self.completed, self.overdue = set(), set()  # task numbers
        self.plan_revisions = 0  # implementation plans filed
        self.named_on = None
        self.named_for = set()  # overdue tasks a naming covered

    def file_plan(self, campaign_id, district, document_sha256, media_type, size):
        self.trigger(ev.ImplementationPlanFiled, campaign_id=campaign_id, district=district,
                     document_sha256=document_sha256, media_type=media_type, size=size,
                     revision=self.plan_revisions + 1)

    def settle(self, plan, district, measured, today):
        """Emit what the measures and the calendar decide, each at most once:
        TaskOverdue when the deadline passed undone, TaskCompleted when done."""
        for task in plan.tasks:
            number, deadline = task["task_no"], plan.deadline(task)
            result = measured[number]
            common = {"campaign_id": plan.id, "district": district, "task_no": number,
                      "deadline": deadline.isoformat(), "value": result.value}
            if number in self.completed:
                if not result.reopens:
                    continue  # done is sticky, unless new work of the task came in
                self.trigger(ev.TaskReopened, reopened_on=today.isoformat(),
                             reason=result.reopens, **common)
            if today > deadline and number not in self.overdue:
                self.trigger(ev.TaskOverdue, target=task.get("target", 1.0), **common)
            if result.done:
                self.trigger(ev.TaskCompleted, completed_on=today.isoformat(),
                             late=today > deadline, **common)

    def needs_settling(self, plan, measured, today):
        return any(measured[t["task_no"]].reopens if t["task_no"] in self.completed else (
            measured[t["task_no"]].done or
            (today > plan.deadline(t) and t["task_no"] not in self.overdue)) for t in plan.tasks)

    def name(self, campaign_id, district, reasons, today, overdue=()):
        """Once for a lag: a district named before is named again only when it fell
        behind on a task since (overdue, not done, not covered by a naming).
        `overdue`: the tasks progress shows overdue now (the check may not have run yet)."""
        behind = sorted((set(overdue) | self.overdue) - self.completed - self.named_for)
        if self.named_on is not None and not behind:
            raise Conflict(f"district {district} was named in campaign {campaign_id} on "
                           f"{self.named_on}; it is named again when it falls behind on "
                           "another task")
        self.trigger(ev.DistrictNamed, campaign_id=campaign_id, district=district,
                     reasons=list(reasons), named_on=today.isoformat(), task_nos=behind)

    @applies(ev.ImplementationPlanFiled)
    def _plan_filed(self, event):
        self.plan_revisions = event.revision

    @applies(ev.TaskCompleted)
    def _completed(self, event):
        self.completed.add(event.task_no)

    @applies(ev.TaskReopened)
    def _reopened(self, event):
        self.completed.discard(event.task_no)

    @applies(ev.TaskOverdue)
    def _overdue(self, event):
        self.overdue.add(event.task_no)

    @applies(ev.DistrictNamed)
    def _named(self, event):
        self.named_on = event.named_on
        # a naming from before task_nos were recorded covered what was overdue then
        self.named_for |= set(event.data.get("task_nos") or self.overdue)


class School(Aggregate):
    def __init__(self, id):
        super().__init__(id)
        self.school_id = self.name = self.district = None

    @staticmethod
    def stream_id(school_id):
        return f"school-{school_id}"

    @classmethod
    def register(cls, school_id, name, district):
        school = cls(cls.stream_id(school_id))
        school.trigger(ev.SchoolRegistered, school_id=school_id, name=name, district=district)
        return school

    @applies(ev.SchoolRegistered)
    def _registered(self, event):
        self.school_id, self.name, self.district = event.school_id, event.name, event.district


class SchoolCampaign(Aggregate):
    """A school's returns in one campaign: its survey ledger (task 4), meetings (task 5)."""

    @staticmethod
    def stream_id(campaign_id, school_id):
        return f"returns-{campaign_id}/{school_id}"  # `/`: see DistrictCampaign

    def __init__(self, id):
        super().__init__(id)
        self.revision = 0
        self.reported = set()   # institution keys already reported as unlisted
        self.meetings = None    # (parent, class) meetings last reported

    def return_survey(self, campaign_id, school, counts, unlisted):
        """Record a ledger upload; each unlisted institution is reported once per campaign."""
        self.trigger(ev.SurveyReturned, campaign_id=campaign_id, school_id=school.school_id,
                     district=school.district, revision=self.revision + 1, **counts)
        for group in unlisted:
            if group["key"] in self.reported:
                continue
            self.trigger(ev.UnlistedInstitutionReported, report_id=str(uuid.uuid4()),
                         campaign_id=campaign_id, school_id=school.school_id,
                         district=group.get("district") or school.district,
                         **{k: group.get(k) for k in (
                             "institution_name", "credit_code", "address", "pupil_count",
                             "institution_id", "reason")})

    def report_meetings(self, campaign_id, school, parent_meetings, class_meetings):
        self.trigger(ev.MeetingsReported, campaign_id=campaign_id, school_id=school.school_id,
                     district=school.district, parent_meetings=parent_meetings,
                     class_meetings=class_meetings)

    @applies(ev.SurveyReturned)
    def _returned(self, event):
        self.revision = event.revision

    @applies(ev.MeetingsReported)  # also what makes a stream of meetings only one of these
    def _met(self, event):
        self.meetings = (event.parent_meetings, event.class_meetings)

    @applies(ev.UnlistedInstitutionReported)
    def _reported(self, event):
        self.reported.add(institution_key(event.credit_code, event.institution_name))


def name_key(name):
    """Names compared as a school types them, as the registry's directory compares them."""
    return normalize_name(name)


def institution_key(credit_code, name):
    return f"code:{credit_code.upper()}" if credit_code else f"name:{name_key(name)}"
