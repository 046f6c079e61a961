"""Complaints HTTP input and output (JSON bodies, or form fields of a multipart post)."""
from datetime import timezone

from marshmallow import (EXCLUDE, Schema, ValidationError, fields, pre_load, validate,
                         validates, validates_schema)

from shared import creditcode
from shared.vocabulary import DEPARTMENTS, LOCAL_DISTRICTS
from shared.web import page_field

from . import open311
from .events import CATEGORIES, CHANNELS

PHONE = r"^\+?[0-9][0-9 \-]{4,19}$"
STATUSES = ("received", "assigned", "acknowledged", "verifying", "verified", "answered",
            "closed", "reopened", "merged")
District = lambda **kw: fields.Str(validate=validate.OneOf(LOCAL_DISTRICTS), **kw)  # noqa: E731
Text = lambda low, high, **kw: fields.Str(validate=validate.Length(low, high), **kw)  # noqa: E731
Optional = lambda high: fields.Str(load_default=None, validate=validate.Length(max=high))  # noqa: E731


def _tidy(data, folds=()):
    """Strip strings, drop empty optional values (forms post ""), fold flat
    `contact_name`-style form fields into the nested object."""
    if not isinstance(data, dict):
        return data  # not an object: the schema answers "Invalid input type" (400)
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    for prefix in folds:
        flat = {k[len(prefix) + 1:]: data.pop(k) for k in list(data) if k.startswith(prefix + "_")}
        if flat and not isinstance(data.get(prefix), dict):
            data[prefix] = flat
    return {k: v for k, v in data.items() if v not in ("", None)}


class ContactIn(Schema):
    name = Optional(50)
    phone = fields.Str(load_default=None, validate=validate.Regexp(PHONE, error="not a phone number"))
    email = fields.Email(load_default=None, validate=validate.Length(max=120))

    @pre_load
    def _tidy(self, data, **kwargs):
        return _tidy(data)


class ComplaintIn(Schema):
    district = District(required=True)
    category = fields.Str(required=True, validate=validate.OneOf(CATEGORIES))
    description = Text(5, 5000, required=True)
    institution_id = Optional(36)
    institution_name = fields.Str(load_default="", validate=validate.Length(max=200))
    credit_code = fields.Str(load_default=None)
    address = fields.Str(load_default="", validate=validate.Length(max=300))
    contact = fields.Nested(ContactIn, load_default=None)
    supervisor_code = Optional(40)

    @pre_load
    def _tidy(self, data, **kwargs):
        return _tidy(data, folds=("contact",))

    @validates("credit_code")
    def _credit_code(self, value, **kwargs):
        problem = value and creditcode.problem(value)
        if problem:
            raise ValidationError(problem)


class StaffIntakeIn(ComplaintIn):
    """Filed by staff: a hotline call, an imported e-mail; the category may be guessed."""
    channel = fields.Str(required=True, validate=validate.OneOf(("hotline", "email")))
    category = fields.Str(load_default=None, validate=validate.OneOf(CATEGORIES))
    external_ref = Optional(64)


class TriageIn(Schema):
    category = fields.Str(load_default=None, validate=validate.OneOf(CATEGORIES))
    institution_id = Optional(36)
    institution_name = Optional(200)
    credit_code = Optional(18)
    unlisted = fields.Bool(load_default=False)
    lead_department = fields.Str(load_default=None, validate=validate.OneOf(DEPARTMENTS))
    handling_departments = fields.List(fields.Str(validate=validate.OneOf(DEPARTMENTS)),
                                       load_default=None)


CHECK_MODES = ("day", "night", "joint")


class VerificationRequestIn(Schema):
    """How the on-site check is made: it is always unannounced; the lead department
    may ask others to join (then it is a joint check) and set it by day or at night."""
    departments = fields.List(fields.Str(validate=validate.OneOf(DEPARTMENTS)), load_default=list,
                              metadata={"description": "departments joining the lead's check, e.g. fire"})
    modes = fields.List(fields.Str(validate=validate.OneOf(CHECK_MODES)), load_default=list,
                        metadata={"description": "day, night, joint (unannounced always)"})


class VerificationIn(Schema):
    substantiated = fields.Bool(required=True)
    note = Text(2, 2000, required=True)


class AnswerIn(Schema):
    text = Text(5, 5000, required=True, metadata={"description": "shown to the reporter"})


class MergeIn(Schema):
    into = fields.Str(required=True, validate=validate.Length(min=1, max=36))


class ReopenIn(Schema):
    reason = Text(2, 1000, required=True)


class NoteIn(Schema):
    note = fields.Str(load_default=None, validate=validate.Length(max=2000))


class CaseQuery(Schema):
    district = District(load_default=None)
    status = fields.Str(load_default=None, validate=validate.OneOf(STATUSES))
    category = fields.Str(load_default=None, validate=validate.OneOf(CATEGORIES))
    channel = fields.Str(load_default=None, validate=validate.OneOf(CHANNELS))
    escalated = fields.Bool(load_default=None)
    department = fields.Str(load_default=None, validate=validate.OneOf(DEPARTMENTS))
    page = page_field()
    per_page = fields.Int(load_default=50, validate=validate.Range(min=1, max=500))


class StatsQuery(Schema):
    district = District(load_default=None)
    since = fields.Date(load_default=None)
    until = fields.Date(load_default=None, metadata={"description": "exclusive"})


class SupervisorIn(Schema):
    district = District(required=True)
    name = Text(1, 50, required=True)
    phone = fields.Str(required=True, validate=validate.Regexp(PHONE, error="not a phone number"))


class DistrictQuery(Schema):
    district = District(load_default=None)


class ReceiptOut(Schema):
    complaint_id = fields.Str()
    tracking_code = fields.Str(metadata={"description": "the reporter's only key to the answer"})
    status = fields.Str()
    track_url = fields.Str()
    track_page = fields.Str(metadata={"description": "the tracking page for a browser"})


class TrackOut(Schema):
    tracking_code = fields.Str()
    status = fields.Str(metadata={"enum": list(STATUSES)})
    status_label = fields.Str()
    category = fields.Str()
    district = fields.Str()
    received_at = fields.Str()
    steps = fields.List(fields.Dict())
    answer = fields.Dict(allow_none=True)
    can_reopen = fields.Bool()


class Open311RequestIn(Schema):
    """GeoReport v2 POST requests: jurisdiction_id is the district code; the attributes
    of the category's service definition come as `attribute[code]` form fields."""
    class Meta:
        unknown = EXCLUDE  # api_key, device_id, … are accepted and ignored

    jurisdiction_id = District(required=True)
    service_code = fields.Str(required=True, validate=validate.OneOf(CATEGORIES))
    description = Text(5, 5000, required=True)
    address_string = fields.Str(load_default="", validate=validate.Length(max=300))
    lat = fields.Float(load_default=None, validate=validate.Range(-90, 90))
    long = fields.Float(load_default=None, validate=validate.Range(-180, 180))
    email = fields.Email(load_default=None, validate=validate.Length(max=120))
    phone = fields.Str(load_default=None, validate=validate.Regexp(PHONE, error="not a phone number"))
    first_name = Optional(25)
    last_name = Optional(25)
    media_url = fields.Url(load_default=None, validate=validate.Length(max=500))
    attribute = fields.Dict(keys=fields.Str(), values=fields.Str(validate=validate.Length(max=300)),
                            load_default=dict, metadata={
                                "description": "form fields attribute[code] of the service definition"})

    @pre_load
    def _tidy(self, data, **kwargs):
        data = _tidy(data)
        attributes = data.pop("attribute", {})  # a JSON body may nest them
        if isinstance(attributes, dict):
            for key in [k for k in data if k.startswith("attribute[") and k.endswith("]")]:
                attributes[key[len("attribute["):-1]] = data.pop(key)
            attributes = _tidy(attributes)
        data["attribute"] = attributes
        return data

    @validates_schema
    def _attributes(self, data, **kwargs):
        errors = open311.problems(data["service_code"], data["attribute"])
        code = data["attribute"].get("credit_code")
        problem = code and creditcode.problem(code)
        if problem:
            errors["attribute[credit_code]"] = [problem]
        if errors:
            raise ValidationError(errors)


class Open311Query(Schema):
    class Meta:
        unknown = EXCLUDE

    jurisdiction_id = District(load_default=None)
    service_request_id = fields.Str(load_default=None, validate=validate.Length(max=2000))
    service_code = fields.Str(load_default=None, validate=validate.OneOf(CATEGORIES))
    status = fields.Str(load_default=None, validate=validate.OneOf(("open", "closed")))
    start_date = fields.AwareDateTime(load_default=None)
    end_date = fields.AwareDateTime(load_default=None)

    @validates("start_date", "end_date")
    def _representable(self, value, data_key, **kwargs):
        # 0001-01-01T00:00+14:00 is a valid ISO 8601 date before year 1 in UTC
        try:
            value and value.astimezone(timezone.utc)
        except OverflowError:
            raise ValidationError("out of range") from None
