"""Registry HTTP input and output."""
from marshmallow import Schema, ValidationError, fields, validate, validates

from shared import creditcode
from shared.redact import MaskedText
from shared.vocabulary import CATEGORIES, LICENCE_KINDS, LIST_STATUSES, LOCAL_DISTRICTS, STATUSES
from shared.web import page_field

District = lambda **kw: fields.Str(validate=validate.OneOf(LOCAL_DISTRICTS), **kw)  # noqa: E731


class LicenceIn(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(LICENCE_KINDS))
    number = fields.Str(required=True, validate=validate.Length(min=1, max=60))
    valid_until = fields.Date(required=True)


class InstitutionIn(Schema):
    name = MaskedText(required=True, validate=validate.Length(min=2, max=200))
    credit_code = fields.Str(required=True)
    district = District(required=True)
    category = fields.Str(required=True, validate=validate.OneOf(CATEGORIES))
    address = MaskedText(required=True, validate=validate.Length(min=2, max=300))
    licences = fields.List(fields.Nested(LicenceIn), load_default=list)
    national_platform_id = fields.Str(load_default=None, validate=validate.Length(max=60))

    @validates("credit_code")
    def _credit_code(self, value, **kwargs):
        problem = creditcode.problem(value)
        if problem:
            raise ValidationError(problem)


class InstitutionQuery(Schema):
    district = District(load_default=None)
    status = fields.Str(load_default=None, validate=validate.OneOf(STATUSES))
    list_status = fields.Str(load_default=None, validate=validate.OneOf(LIST_STATUSES))
    q = fields.Str(load_default=None, validate=validate.Length(min=1, max=100))
    review = fields.Str(load_default=None, validate=validate.OneOf(("open",)),
                        metadata={"description": "open: only institutions with a black-list review under way"})
    # bounded: an unbounded page overflows the database's OFFSET (a 500, not a 400)
    page = page_field()
    per_page = fields.Int(load_default=50, validate=validate.Range(min=1, max=500))


class ReasonIn(Schema):
    reason = MaskedText(required=True, validate=validate.Length(min=2, max=500))


class ReinstateIn(Schema):
    reason = MaskedText(load_default="rectified", validate=validate.Length(max=500))


class DecisionIn(Schema):
    decision = fields.Str(required=True, validate=validate.OneOf(("cleared", "blacklisted")))
    reason = MaskedText(required=True, validate=validate.Length(min=2, max=500))


class DistrictIn(Schema):
    district = District(required=True)


class DistrictQuery(Schema):
    district = District(required=True)


class LicenceOut(Schema):
    kind = fields.Str()
    number = fields.Str()
    valid_until = fields.Str()
    expired = fields.Bool()


class ReviewOut(Schema):
    review_id = fields.Str()
    reason = fields.Str()
    opened_at = fields.Str()


class InstitutionOut(Schema):
    id = fields.Str()
    name = fields.Str()
    credit_code = fields.Str()
    district = fields.Str()
    category = fields.Str()
    supervising_department = fields.Str()
    address = fields.Str()
    national_platform_id = fields.Str(allow_none=True)
    status = fields.Str(metadata={"enum": list(STATUSES)})
    list_status = fields.Str(metadata={"enum": list(LIST_STATUSES)})
    licences = fields.List(fields.Nested(LicenceOut))
    review = fields.Nested(ReviewOut, allow_none=True)
    registered_at = fields.Str()


class BatchOut(Schema):
    district = fields.Str()
    list = fields.Str()
    batch_no = fields.Int()
    published_on = fields.Str()
    institution_ids = fields.List(fields.Str())
    filed = fields.Bool()


class ImportIn(Schema):
    institutions = fields.List(fields.Nested(InstitutionIn), required=True,
                               validate=validate.Length(min=1, max=20000))

