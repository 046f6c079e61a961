"""Open311 GeoReport v2 shapes: the attributes a category asks for beyond the
description (service definitions) and the XML form of every answer, shaped as the
specification's examples (`<services><service>…`, `<errors><error>…`)."""
from xml.etree.ElementTree import Element, SubElement, indent, tostring

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ("text/xml", "application/json")

# code -> (description shown to the reporter, datatype)
_ATTRIBUTES = {
    "institution_name": ("机构名称或招牌上的名字", "string"),
    "institution_address": ("机构地址（办学或经营场所）", "string"),
    "credit_code": ("统一社会信用代码（18位，如知道）", "string"),
    "school_name": ("学校上报线索时填写本校名称", "string"),
}
# category -> (required, optional) attribute codes; "other" asks only for the description
_ASKED = {
    "unlicensed": (("institution_name", "institution_address"), ("credit_code", "school_name")),
    "not_white_listed": (("institution_name",), ("institution_address", "credit_code", "school_name")),
    "disguised_academic": (("institution_name",), ("institution_address", "credit_code", "school_name")),
    "prepaid_fee": (("institution_name",), ("institution_address", "credit_code")),
    "advertising": ((), ("institution_name", "institution_address", "credit_code")),
    "safety_hazard": (("institution_name", "institution_address"), ("credit_code",)),
    "art_exam": (("institution_name",), ("institution_address", "credit_code")),
    "other": ((), ()),
}
# plural element -> the element of each item (the specification's names)
_ITEMS = {"services": "service", "service_requests": "request", "attributes": "attribute",
          "values": "value", "endpoints": "endpoint", "formats": "format", "errors": "error"}


def asked(category):
    """(required, optional) attribute codes of a category."""
    return _ASKED.get(category, ((), ()))


def has_metadata(category):
    return any(asked(category))


def definition(category):
    """The service definition of `category` (GET services/{code})."""
    required, optional = asked(category)
    return {"service_code": category, "attributes": [
        {"variable": True, "code": code, "datatype": _ATTRIBUTES[code][1],
         "required": code in required, "datatype_description": None, "order": order,
         "description": _ATTRIBUTES[code][0], "values": []}
        for order, code in enumerate(required + optional, start=1)]}


def problems(category, attributes):
    """Field errors of the attributes given for `category`: unknown or missing ones."""
    required, optional = asked(category)
    errors = {f"attribute[{code}]": ["not an attribute of this service"]
              for code in attributes if code not in required + optional}
    errors.update({f"attribute[{code}]": ["required by this service"]
                   for code in required if not attributes.get(code)})
    return errors


def xml(root, payload):
    """`payload` (a list of items or an object) as the specification's XML document."""
    element = Element(root)
    _fill(element, payload)
    indent(element)  # read with curl as often as by a program
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="unicode").encode()


def _fill(element, value):
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _fill(SubElement(element, _ITEMS.get(element.tag, "item")), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
