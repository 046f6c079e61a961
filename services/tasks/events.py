"""The tasks service's events: wire shapes and versions (docs/events.md).

No event carries a pupil's name or identifier: surveys travel as counts."""
from marshmallow import validate

from shared.events import Catalogue, Event, EventSchema, fields
from shared.vocabulary import DISTRICTS


def District():
    return fields.Str(required=True, validate=validate.OneOf(DISTRICTS),
                      metadata={"description": "GB/T 2260 district code"})


def Campaign():
    return fields.Str(required=True, metadata={"description": "the campaign (plan) id"})


def Count(description):
    return fields.Int(required=True, validate=validate.Range(min=0),
                      metadata={"description": description})


def TaskNo():
    return fields.Int(required=True, validate=validate.Range(min=1),
                      metadata={"description": "the task's number in the plan"})


class CampaignStarted(Event):
    """A bureau loaded a campaign plan; its tasks are measured from now on."""
    class Schema(EventSchema):
        campaign_id = Campaign()
        title = fields.Str(required=True)
        starts_on = fields.Date(required=True, metadata={"description": "facts before this day do not count"})
        plan = fields.Dict(required=True, metadata={"description": "the validated plan (tasks, deadlines, measures)"})


class SchoolRegistered(Event):
    """A school was added to a district's list of schools (denominator of tasks 4 and 5)."""
    class Schema(EventSchema):
        school_id = fields.Str(required=True)
        name = fields.Str(required=True, metadata={"description": "the school's official name"})
        district = District()


class ImplementationPlanFiled(Event):
    """A district filed its implementation plan for a campaign (task 1)."""
    class Schema(EventSchema):
        campaign_id = Campaign()
        district = District()
        document_sha256 = fields.Str(required=True)
        media_type = fields.Str(load_default=None, allow_none=True)
        size = fields.Int(load_default=None, allow_none=True)
        revision = fields.Int(load_default=1)


class SurveyReturned(Event):
    """A school uploaded (or updated) its pupils' holiday-enrolment ledger (task 4); counts only."""
    class Schema(EventSchema):
        campaign_id = Campaign()
        school_id = fields.Str(required=True)
        district = District()
        enrolment_count = Count("enrolments in the ledger")
        pupil_count = Count("distinct pupils surveyed")
        unlisted_count = Count("enrolments at institutions not on the white list")
        revision = fields.Int(load_default=1, metadata={"description": "1 for the first upload, then +1 per update"})


class UnlistedInstitutionReported(Event):
    """A school's pupils attend an institution not on the white list: a lead for complaints."""
    class Schema(EventSchema):
        report_id = fields.Str(required=True)
        campaign_id = Campaign()
        school_id = fields.Str(required=True)
        district = District()
        institution_name = fields.Str(required=True)
        credit_code = fields.Str(load_default=None, allow_none=True)
        address = fields.Str(load_default=None, allow_none=True)
        pupil_count = Count("pupils of the school enrolled there (a count, never pupils)")
        institution_id = fields.Str(load_default=None, allow_none=True,
                                    metadata={"description": "the registry id when registered"})
        reason = fields.Str(load_default="not_registered", metadata={
            "description": "not_registered | not_white_listed"})


class MeetingsReported(Event):
    """A school reported the parent and class meetings it has held so far (task 5)."""
    class Schema(EventSchema):
        campaign_id = Campaign()
        school_id = fields.Str(required=True)
        district = District()
        parent_meetings = Count("parent meetings held so far")
        class_meetings = Count("class meetings held so far")


class TaskCompleted(Event):
    """A task reached its target in a district (emitted once; `late` when after the deadline)."""
    class Schema(EventSchema):
        campaign_id = Campaign()
        district = District()
        task_no = TaskNo()
        deadline = fields.Date(required=True)
        completed_on = fields.Date(load_default=None, allow_none=True)
        late = fields.Bool(load_default=False)
        value = fields.Float(load_default=None, allow_none=True)


class TaskReopened(Event):
    """A completed task is open again in a district: new work that belongs to it came in
    (e.g. carry-over rectifications imported after task 3 was done). It completes again
    (TaskCompleted, `late` after the deadline) once that work is done."""
    class Schema(EventSchema):
        campaign_id = Campaign()
        district = District()
        task_no = TaskNo()
        deadline = fields.Date(required=True)
        reopened_on = fields.Date(required=True)
        reason = fields.Str(required=True, metadata={"description": "carry_over_open"})
        value = fields.Float(load_default=None, allow_none=True)


class TaskOverdue(Event):
    """A task was not done in a district by its deadline (emitted once per task and district)."""
    class Schema(EventSchema):
        campaign_id = Campaign()
        district = District()
        task_no = TaskNo()
        deadline = fields.Date(required=True)
        value = fields.Float(load_default=None, allow_none=True,
                             metadata={"description": "the measured value when it fell overdue"})
        target = fields.Float(load_default=None, allow_none=True)


class DistrictNamed(Event):
    """The municipal office publicly named a lagging district (disclosure publishes it).
    Named again only for tasks it fell behind on since (docs/tasks.md)."""
    class Schema(EventSchema):
        campaign_id = Campaign()
        district = District()
        reasons = fields.List(fields.Str(), required=True, validate=validate.Length(min=1))
        named_on = fields.Date(required=True)
        task_nos = fields.List(fields.Int(), load_default=list, metadata={
            "description": "the overdue tasks this naming is for (none: named for other reasons)"})


CATALOGUE = Catalogue(
    "tasks", CampaignStarted, SchoolRegistered, ImplementationPlanFiled, SurveyReturned,
    UnlistedInstitutionReported, MeetingsReported, TaskCompleted, TaskReopened, TaskOverdue,
    DistrictNamed)
