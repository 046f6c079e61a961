"""Inspection HTTP input and output."""
from marshmallow import Schema, ValidationError, fields, validate

from shared import auth
from shared.errors import BadRequest
from shared.vocabulary import DEPARTMENTS, LOCAL_DISTRICTS, SEVERITIES
from shared.web import page_field

from .checklists import all_checklists
from .events import FOCUS, KINDS, MODES

SELF_CHECKLISTS = [c["id"] for c in all_checklists().values() if "self" in c["kinds"]]

District = lambda **kw: fields.Str(validate=validate.OneOf(LOCAL_DISTRICTS), **kw)  # noqa: E731
Hash = lambda: fields.Str(validate=validate.Regexp(  # noqa: E731
    r"^[0-9a-f]{64}$", error="not a SHA-256 hex digest"))
Evidence = lambda: fields.List(Hash(), load_default=list, metadata={  # noqa: E731
    "description": "SHA-256 hashes returned by POST /evidence"})
Text = lambda n, **kw: fields.Str(validate=validate.Length(min=1, max=n), **kw)  # noqa: E731
OneOf = lambda choices, **kw: fields.Str(validate=validate.OneOf(choices), **kw)  # noqa: E731


def _officer_id(value):
    if not auth.is_officer_id(value):
        raise ValidationError("an officer's account id (letters, digits, . _ : -), never a name")


class OfficerIn(Schema):
    officer_id = fields.Str(required=True, validate=_officer_id)
    certificate = fields.Str(load_default=None, allow_none=True, validate=validate.Regexp(
        auth.CERTIFICATE, error="an enforcement certificate number (执法证号): 4-40 letters, "
                                "digits or 汉字"))


Officers = lambda **kw: fields.List(  # noqa: E731
    fields.Nested(OfficerIn), validate=validate.Length(max=10), metadata={
        "description": "[{officer_id, certificate}]: ids of console accounts and their "
                       "certificate numbers (执法证号)"}, **kw)


class InspectionIn(Schema):
    institution_id = fields.Str(load_default=None, allow_none=True, metadata={
        "description": "registered institution; omit for an unregistered site (then give site_name)"})
    district = District(load_default=None, metadata={
        "description": "required for an unregistered site; else taken from the registry"})
    kind = OneOf(KINDS, required=True)
    modes = fields.List(OneOf(MODES), load_default=list)
    departments = fields.List(OneOf(DEPARTMENTS), load_default=None, metadata={
        "description": "assigned departments; default: the caller's"})
    focus = fields.List(OneOf(FOCUS), load_default=list)
    site_name = Text(200, load_default=None, allow_none=True)
    site_address = Text(300, load_default=None, allow_none=True)
    scheduled_for = fields.Date(load_default=None, allow_none=True)
    officers = Officers(load_default=list)


class FindingIn(Schema):
    item = Text(60, required=True, metadata={"description": "checklist item id (GET /checklists)"})
    severity = OneOf(SEVERITIES, required=True)
    description = Text(2000, required=True, metadata={
        "description": "what was found at the site; do not name people"})
    suspend_immediately = fields.Bool(load_default=False)
    evidence = Evidence()


class CompleteIn(Schema):
    rectification_deadline = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "deadline of the rectification order for the findings (default: 14 days)"})
    officers = Officers(load_default=None, allow_none=True)  # default: those scheduled


class AnswerIn(Schema):
    item = Text(60, required=True)
    result = OneOf(("pass", "fail", "not_applicable"), required=True)
    severity = OneOf(SEVERITIES, load_default=None, allow_none=True)
    note = Text(2000, load_default=None, allow_none=True)
    evidence = Evidence()


class SelfInspectionIn(Schema):
    institution_id = fields.Str(required=True)
    checklist = OneOf(SELF_CHECKLISTS, load_default="fire_nine_rules")
    answers = fields.List(fields.Nested(AnswerIn), required=True, validate=validate.Length(min=1))
    rectification_deadline = fields.Date(load_default=None, allow_none=True)


class PatrolLogIn(Schema):
    """Multipart form fields sent with the log `file` (CSV or XLSX: date, time columns)."""
    opening_hours = fields.Str(required=True, validate=validate.Regexp(
        r"^\d{2}:\d{2}-\d{2}:\d{2}$", error="use HH:MM-HH:MM"))
    period_from = fields.Date(load_default=None)
    period_to = fields.Date(load_default=None)
    closed_on = fields.Str(load_default="", metadata={
        "description": "comma-separated dates the institution was closed"})
    severity = OneOf(SEVERITIES, load_default="minor")


class SampleIn(Schema):
    district = District(required=True)
    size = fields.Int(required=True, validate=validate.Range(min=1, max=1000))
    seed = Text(64, load_default=None, metadata={"description": "default: a fresh random seed"})
    schedule = fields.Bool(load_default=True, metadata={
        "description": "schedule a random_sample enforcement check for each one drawn"})
    modes = fields.List(OneOf(MODES), load_default=lambda: ["unannounced"])
    departments = fields.List(OneOf(DEPARTMENTS), load_default=None)
    focus = fields.List(OneOf(FOCUS), load_default=list)


class OrderIn(Schema):
    institution_id = fields.Str(required=True)
    items = fields.List(Text(60), required=True, validate=validate.Length(min=1))
    deadline = fields.Date(required=True)
    carry_over = fields.Bool(load_default=False)
    campaign = Text(100, load_default=None, allow_none=True)


class ReportIn(Schema):
    evidence = Evidence()


class VerifyIn(Schema):
    passed = fields.Bool(required=True)
    new_deadline = fields.Date(load_default=None, allow_none=True)
    evidence = Evidence()


class CarryOverQuery(Schema):
    campaign = Text(100, load_default="安全守护")


class InspectionQuery(Schema):
    district = District(load_default=None)
    institution_id = fields.Str(load_default=None)
    kind = OneOf(KINDS, load_default=None)
    status = OneOf(("scheduled", "completed"), load_default=None)
    source = fields.Str(load_default=None)
    page = page_field()
    per_page = fields.Int(load_default=50, validate=validate.Range(min=1, max=500))


class CoverageQuery(Schema):
    district = District(required=True)
    kind = OneOf(KINDS, load_default="self")
    since = fields.Date(load_default=None)


class OrderQuery(Schema):
    district = District(load_default=None)
    institution_id = fields.Str(load_default=None)
    status = OneOf(("open", "reported", "verified"), load_default=None)
    carry_over = fields.Bool(load_default=None)
    overdue = fields.Bool(load_default=None)


class FindingOut(Schema):
    finding_id = fields.Str()
    item = fields.Str()
    category = fields.Str()
    severity = fields.Str()
    description = fields.Str(metadata={"description": "only for inspectors, coordinators and "
                                       "admins who may act in the inspection's district"})
    suspend_immediately = fields.Bool()
    hazard = fields.Bool()
    department = fields.Str()
    evidence = fields.List(fields.Dict())
    recorded_at = fields.Str()


class InspectionOut(Schema):
    id = fields.Str()
    institution_id = fields.Str(allow_none=True)
    district = fields.Str()
    kind = fields.Str()
    modes = fields.List(fields.Str())
    departments = fields.List(fields.Str())
    focus = fields.List(fields.Str())
    source = fields.Str(allow_none=True)
    source_type = fields.Str(allow_none=True)
    status = fields.Str()
    outcome = fields.Str(allow_none=True)
    max_severity = fields.Str(allow_none=True)
    findings = fields.List(fields.Nested(FindingOut))
    officer_ids = fields.List(fields.Str())
    officers = fields.List(fields.Dict(), metadata={
        "description": "[{officer_id, certificate}]; certificates only for the district's officials"})


class OrderOut(Schema):
    order_id = fields.Str()
    institution_id = fields.Str()
    district = fields.Str()
    items = fields.List(fields.Str())
    deadline = fields.Str()
    carry_over = fields.Bool()
    status = fields.Str(metadata={"enum": ["open", "reported", "verified"]})
    overdue = fields.Bool()
    failures = fields.Int()


class CarryOverRow(Schema):
    """One row of a carry-over table: the institution (id or credit code), the
    checklist items still to rectify (separated by ; or ,) and the deadline."""
    institution_id = fields.Str(load_default=None)
    credit_code = fields.Str(load_default=None)
    items = fields.Str(required=True, validate=validate.Length(min=1))
    deadline = fields.Date(required=True)


def carry_over_rows(table_rows):
    """[(row number, loaded row)] or 400 naming every bad row; columns of other names are ignored."""
    if not table_rows:
        raise BadRequest("the file is empty", {"file": ["no header row"]})
    header = [h.strip().lower() for h in table_rows[0][1]]
    known = set(CarryOverRow().fields)
    loaded, errors = [], {}
    for number, values in table_rows[1:]:
        raw = {k: v for k, v in zip(header, values) if k in known and v.strip()}
        if not raw:
            continue
        try:
            row = CarryOverRow().load(raw)
        except ValidationError as error:
            errors[f"row {number}"] = error.messages
            continue
        if not (row["institution_id"] or row["credit_code"]):
            errors[f"row {number}"] = {"institution_id": ["give institution_id or credit_code"]}
        row["items"] = [i.strip() for i in row["items"].replace(",", ";").split(";") if i.strip()]
        loaded.append((number, row))
    if errors:
        raise BadRequest("the carry-over table has bad rows", errors)
    return loaded
