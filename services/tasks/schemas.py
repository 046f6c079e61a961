"""Tasks HTTP input and output, and the shape of a campaign plan file."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import (Schema, ValidationError, fields, pre_load, validate, validates,
                         validates_schema)

from shared.redact import MaskedText
from shared.vocabulary import DEPARTMENTS, LOCAL_DISTRICTS

MEASURES = ("plan_filed", "lists_published_and_filed", "self_inspection_share", "survey_share",
            "meetings_share", "safety_inspection_share", "enforcement_checks",
            "cases_exposed_ratio")
MODES = ("unannounced", "day", "night", "joint", "random_sample")
FOCUS = ("fire_safety", "prepaid_fee", "advertising", "art_exam", "unlicensed",
         "disguised_academic")
KINDS = ("self", "safety", "enforcement")
# The parameters each measure accepts (anything else in a plan is an error).
PARAMS = {
    "plan_filed": (), "survey_share": (), "safety_inspection_share": (),
    "lists_published_and_filed": ("lists",), "self_inspection_share": ("carry_over_closed",),
    "meetings_share": ("min_meetings",), "enforcement_checks": ("minimums", "kinds"),
    "cases_exposed_ratio": ("min_exposed",),
}
District = lambda **kw: fields.Str(validate=validate.OneOf(LOCAL_DISTRICTS), **kw)  # noqa: E731
Departments = lambda: fields.List(fields.Str(validate=validate.OneOf(DEPARTMENTS)),  # noqa: E731
                                  load_default=list)


def Id(longest=64, **kw):
    """An id as stream ids hold it (domain.py): never their separator `/`, nor a newline."""
    return fields.Str(validate=validate.Regexp(
        rf"^[A-Za-z0-9][A-Za-z0-9_.-]{{0,{longest - 1}}}\Z",
        error=f"letters, digits, . _ - only (max {longest})"), **kw)


def CampaignId(**kw):
    """Short enough that `returns-{campaign}/{school}` fits a stream id (120 characters)."""
    return Id(longest=40, **kw)


# -- the plan file -----------------------------------------------------------------
class MeasureSchema(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(MEASURES))
    lists = fields.List(fields.Str(validate=validate.OneOf(("white", "black"))),
                        validate=validate.Length(min=1))
    carry_over_closed = fields.Bool()
    min_meetings = fields.Int(validate=validate.Range(min=1))
    # A minimum of 0 (or none at all) would make a task done before anything happened.
    minimums = fields.Dict(keys=fields.Str(validate=validate.OneOf(MODES + FOCUS)),
                           values=fields.Int(validate=validate.Range(min=1)),
                           validate=validate.Length(min=1))
    kinds = fields.List(fields.Str(validate=validate.OneOf(KINDS)), validate=validate.Length(min=1))
    min_exposed = fields.Int(validate=validate.Range(min=1))

    @validates_schema
    def _params_fit_the_kind(self, data, **kwargs):
        allowed = PARAMS.get(data.get("kind"), ())
        extra = sorted(k for k in data if k != "kind" and k not in allowed)
        if extra:
            raise ValidationError({k: [f"not a parameter of measure {data['kind']}"] for k in extra})
        if data.get("kind") == "enforcement_checks" and "minimums" not in data:
            raise ValidationError({"minimums": [
                "required for measure enforcement_checks: the checks wanted per mode or "
                "topic, e.g. {night: 1, prepaid_fee: 1}"]})


class TaskSchema(Schema):
    task_no = fields.Int(required=True, validate=validate.Range(min=1, max=99))
    title = fields.Str(required=True, validate=validate.Length(min=2, max=200))
    title_en = fields.Str(load_default=None, validate=validate.Length(max=200))
    lead = Departments()
    responsible = Departments()
    deadline = fields.Date(required=True)
    measure = fields.Nested(MeasureSchema, required=True)
    target = fields.Float(load_default=1.0, validate=validate.Range(min=0, max=1, min_inclusive=False))

    @pre_load
    def _short_measure(self, data, **kwargs):
        """`measure: plan_filed` is short for `measure: {kind: plan_filed}`."""
        if isinstance(data, dict) and isinstance(data.get("measure"), str):
            data = {**data, "measure": {"kind": data["measure"]}}
        return data


class PlanSchema(Schema):
    campaign_id = CampaignId(required=True)
    title = fields.Str(required=True, validate=validate.Length(min=2, max=200))
    issuer = fields.Str(load_default=None, validate=validate.Length(max=200))
    starts_on = fields.Date(required=True)
    timezone = fields.Str(load_default="Asia/Shanghai")
    districts = fields.List(District(), load_default=lambda: list(LOCAL_DISTRICTS),
                            validate=validate.Length(min=1))
    tasks = fields.List(fields.Nested(TaskSchema), required=True, validate=validate.Length(min=1))

    @validates("timezone")
    def _timezone(self, value, **kwargs):
        try:
            ZoneInfo(value)
        # OSError: a zone directory ("Asia") or a name too long for the file system
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValidationError("not a known time zone (e.g. Asia/Shanghai)") from None

    @validates_schema
    def _tasks_fit_the_campaign(self, data, **kwargs):
        errors = {}
        seen = set()
        for index, task in enumerate(data.get("tasks", ())):
            if task["task_no"] in seen:
                errors.setdefault(index, {})["task_no"] = [f"task {task['task_no']} appears twice"]
            seen.add(task["task_no"])
            if "starts_on" in data and task["deadline"] < data["starts_on"]:
                errors.setdefault(index, {})["deadline"] = ["is before the campaign starts_on"]
        if errors:
            raise ValidationError({"tasks": errors})
        if len(set(data.get("districts", ()))) != len(data.get("districts", ())):
            raise ValidationError({"districts": ["a district appears twice"]})


# -- HTTP input ---------------------------------------------------------------------
class CampaignQuery(Schema):
    campaign = CampaignId(load_default=None)


class ProgressQuery(CampaignQuery):
    district = District(required=True)


class SchoolIn(Schema):
    school_id = Id(required=True)
    name = fields.Str(required=True, validate=validate.Length(min=2, max=200))
    district = District(required=True)


class SchoolQuery(Schema):
    district = District(load_default=None)


class SurveyForm(Schema):
    """The form fields beside the uploaded ledger file."""
    school_id = Id(required=True)
    campaign_id = CampaignId(load_default=None)


class PlanFilingForm(Schema):
    district = District(required=True)


class MeetingsIn(Schema):
    school_id = Id(required=True)
    campaign_id = CampaignId(load_default=None)
    parent_meetings = fields.Int(required=True, validate=validate.Range(min=0, max=10000))
    class_meetings = fields.Int(required=True, validate=validate.Range(min=0, max=10000))


class NamingIn(Schema):
    reasons = fields.List(MaskedText(validate=validate.Length(min=2, max=500)),
                          load_default=list, validate=validate.Length(max=20))


# -- HTTP output --------------------------------------------------------------------
class TaskProgressOut(Schema):
    task_no = fields.Int()
    title = fields.Str()
    deadline = fields.Str()
    measure = fields.Str()
    value = fields.Float(allow_none=True)
    target = fields.Float()
    status = fields.Str(metadata={"enum": ["done", "on_track", "overdue"]})
    details = fields.Dict()
    completed_on = fields.Str(allow_none=True)
    overdue_since = fields.Str(allow_none=True)


class ProgressOut(Schema):
    campaign_id = fields.Str()
    district = fields.Str()
    as_of = fields.Str()
    tasks = fields.List(fields.Nested(TaskProgressOut))
