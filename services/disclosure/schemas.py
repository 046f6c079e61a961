"""Disclosure HTTP input and output."""
from marshmallow import Schema, fields, validate

from shared.vocabulary import DEPARTMENTS, LOCAL_DISTRICTS
from shared.web import page_field

from .events import CASE_KINDS

District = lambda **kw: fields.Str(validate=validate.OneOf(LOCAL_DISTRICTS), **kw)  # noqa: E731
Text = lambda n, **kw: fields.Str(validate=validate.Length(min=1, max=n), **kw)  # noqa: E731


class CaseQuery(Schema):
    district = District(load_default=None)
    kind = fields.Str(load_default=None, validate=validate.OneOf(CASE_KINDS))
    institution_id = Text(64, load_default=None)
    include_withdrawn = fields.Bool(load_default=False)
    page = page_field()
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=200))


class ListQuery(Schema):
    district = District(load_default=None)
    batch = fields.Int(load_default=None, validate=validate.Range(min=1),
                       metadata={"description": "a batch number; the newest when absent"})


class PageListQuery(ListQuery):
    page = page_field()


class DistrictQuery(Schema):
    district = District(load_default=None)


class SearchQuery(Schema):
    q = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                   metadata={"description": "part of a name, or a whole credit code"})
    district = District(load_default=None)
    page = page_field()
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


class PageSearchQuery(SearchQuery):
    """The search page shows an empty form when nothing was asked yet."""
    q = fields.Str(load_default=None, validate=validate.Length(min=2, max=100))


FINDING_CATEGORIES = ("fire_safety", "premises", "unlicensed", "disguised_academic", "prepaid_fee",
                      "advertising", "art_exam", "other")


class CaseIn(Schema):
    """A case a publisher publishes by hand (a violation found outside the systems)."""
    district = District(required=True)
    institution_id = Text(64, load_default=None, metadata={
        "description": "a registered institution (name, credit code and address come from the registry)"})
    institution_name = Text(200, load_default=None, metadata={
        "description": "required without institution_id: the business name of the site"})
    address = Text(300, load_default="")
    category = fields.Str(required=True, validate=validate.OneOf(FINDING_CATEGORIES))
    summary = Text(1000, required=True, metadata={
        "description": "what was found; never name a person (contact details are masked)"})
    decision = Text(500, required=True, metadata={"description": "the measure taken"})
    department = fields.Str(load_default=None, validate=validate.OneOf(DEPARTMENTS))
    found_on = fields.Date(load_default=None)


class CorrectionIn(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=2, max=500))
    summary = Text(1000, metadata={"description": "what was found (replaces the generated text)"})
    decision = Text(500, metadata={"description": "what was decided"})
    department = fields.Str(validate=validate.OneOf(DEPARTMENTS))
    institution_name = Text(200)
    address = Text(300)


class WithdrawalIn(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=2, max=500))


class CaseOut(Schema):
    case_id = fields.Str()
    kind = fields.Str(metadata={"enum": list(CASE_KINDS)})
    district = fields.Str()
    institution_id = fields.Str(allow_none=True)
    institution_name = fields.Str()
    credit_code = fields.Str(allow_none=True)
    address = fields.Str()
    category = fields.Str(allow_none=True)
    finding = fields.Dict()
    decision = fields.Dict()
    outcomes = fields.List(fields.Dict())
    found_at = fields.Str(allow_none=True)
    exposed_at = fields.Str()
    seconds_to_publish = fields.Float(allow_none=True)
    status = fields.Str(metadata={"enum": ["published", "withdrawn"]})
    institution_status = fields.Str(allow_none=True, metadata={
        "description": "current standing: open, suspended, ordered_to_stop, blacklisted, closed"})
    standing = fields.Dict(allow_none=True, metadata={
        "description": "the institution's current standing: state, label, since, reason, choosable"})
    history = fields.List(fields.Dict())
    source_event_id = fields.Str(metadata={"description": "the event the case was made from"})
    updated_at = fields.Str(allow_none=True)
    withdrawn_reason = fields.Str(allow_none=True)
    corrected = fields.Bool(metadata={"description": "a publisher corrected the case"})
    summary = fields.Str(allow_none=True, metadata={"description": "corrected summary"})
    decision_text = fields.Str(allow_none=True, metadata={"description": "corrected decision"})
    department = fields.Str(allow_none=True, metadata={"description": "corrected department"})
