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


# -- the tables bureaus keep (CSV/XLSX), one institution per row --------------
IMPORT_COLUMNS = {
    "name": ("name", "机构名称", "名称"),
    "credit_code": ("credit_code", "统一社会信用代码", "信用代码"),
    "district": ("district", "区市", "所属区市", "行政区划"),
    "category": ("category", "类别", "机构类别"),
    "address": ("address", "地址", "培训地址"),
    "national_platform_id": ("national_platform_id", "全国平台编号"),
}
for _kind, _label in (("school_permit", "办学许可证"), ("business_licence", "营业执照"),
                      ("npo_registration", "民办非企业单位登记证书"), ("fire_safety", "消防")):
    IMPORT_COLUMNS[f"{_kind}_number"] = (f"{_kind}_number", f"{_label}编号")
    IMPORT_COLUMNS[f"{_kind}_valid_until"] = (f"{_kind}_valid_until", f"{_label}有效期至")
CATEGORY_NAMES = {"学科类": "academic", "学科": "academic", "艺术类": "arts", "文化艺术类": "arts",
                  "艺术": "arts", "体育类": "sports", "体育": "sports", "科技类": "science",
                  "科技": "science"}


def import_row(raw):
    """One spreadsheet row (English or Chinese headers) as InstitutionIn input."""
    from shared.vocabulary import DISTRICTS
    by_name = {name: code for code, name in DISTRICTS.items()}
    value = {field: next((raw[h].strip() for h in headers if raw.get(h, "").strip()), "")
             for field, headers in IMPORT_COLUMNS.items()}
    row = {key: value[key] for key in ("name", "credit_code", "address")}
    row["district"] = by_name.get(value["district"], value["district"])
    row["category"] = CATEGORY_NAMES.get(value["category"], value["category"])
    if value["national_platform_id"]:
        row["national_platform_id"] = value["national_platform_id"]
    row["licences"] = [{"kind": kind, "number": value[f"{kind}_number"],
                        "valid_until": value[f"{kind}_valid_until"]}
                       for kind in LICENCE_KINDS if value[f"{kind}_number"]]
    return row
