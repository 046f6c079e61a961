"""The institution tables bureaus keep (CSV/XLSX, one institution per row, English
or Chinese headers) as the registry's import input. Shared so that `otg registry
import` and the console read a file the same way without importing each other."""
from shared.vocabulary import DISTRICTS, LICENCE_KINDS

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
DISTRICT_CODES = {name: code for code, name in DISTRICTS.items()}


def import_row(raw):
    """One spreadsheet row (English or Chinese headers) as registry import input."""
    value = {field: next((raw[h].strip() for h in headers if (raw.get(h) or "").strip()), "")
             for field, headers in IMPORT_COLUMNS.items()}
    row = {key: value[key] for key in ("name", "credit_code", "address")}
    row["district"] = DISTRICT_CODES.get(value["district"], value["district"])
    row["category"] = CATEGORY_NAMES.get(value["category"], value["category"])
    if value["national_platform_id"]:
        row["national_platform_id"] = value["national_platform_id"]
    row["licences"] = [{"kind": kind, "number": value[f"{kind}_number"],
                        "valid_until": value[f"{kind}_valid_until"]}
                       for kind in LICENCE_KINDS if value[f"{kind}_number"]]
    return row
