"""Open311 GeoReport v2 in JSON and XML, so civic-reporting apps can submit and follow reports.

`jurisdiction_id` is the district code; `service_code` a complaint category. Public
reads show progress only: no description, address or contact (the reporter follows
the answer with the tracking code given in `service_notice`)."""
from datetime import timedelta

from shared.errors import NotFound

from . import open311, queries, schemas
from .domain import instant
from .http_public import STATUS_LABELS, public_url
from .webapi import open311_api

ROOT = "/open311/v2"
FMT = "<any(json, xml):fmt>"
LIMIT = 1000        # the spec's default maximum per response
DEFAULT_SPAN = 90   # days looked back without start_date
CLOSED = ("answered", "closed")
CHANGESET = "2026-12-06T00:00:00Z"  # when this endpoint last changed (discovery)


def request_view(row, handled, label):
    return {
        "service_request_id": row["id"],
        "status": "closed" if handled["status"] in CLOSED else "open",
        "status_notes": STATUS_LABELS[handled["status"]],
        "service_name": label, "service_code": row["category"],
        "description": None, "agency_responsible": handled["lead_department"],
        "service_notice": None, "requested_datetime": row["received_at"],
        "updated_datetime": handled["updated_at"],
        "expected_datetime": handled["deadlines"].get("answer"),
        "address": None, "address_id": None, "zipcode": None, "lat": None, "long": None,
        "media_url": None, "jurisdiction_id": row["district"],
    }


class Open311:
    """Mixed into ComplaintsService."""

    @open311_api("GET", f"/open311/discovery.{FMT}", xml_root="discovery",
                 summary="Open311: the discovery document")
    def open311_discovery(self, request):
        return {"changeset": CHANGESET, "contact": "威海市校外培训举报：各区市教育主管部门受理",
                "key_service": "不需要 api_key；同一来源地址的提交次数有上限",
                "endpoints": [{"specification": open311.SPECIFICATION, "url": public_url() + ROOT,
                               "changeset": CHANGESET, "type": "production",
                               "formats": list(open311.FORMATS)}]}

    @open311_api("GET", f"{ROOT}/services.{FMT}", xml_root="services",
                 summary="Open311: the service types (categories)")
    def open311_services(self, request):
        return [{"service_code": code, "service_name": category.label,
                 "description": f"校外培训：{category.label}",
                 "metadata": open311.has_metadata(code), "type": "realtime",
                 "keywords": ",".join(category.keywords), "group": "校外培训"}
                for code, category in self.rules.categories.items()]

    @open311_api("GET", f"{ROOT}/services/<service_code>.{FMT}", xml_root="service_definition",
                 summary="Open311: a service definition (the attributes a category asks for)")
    def open311_service_definition(self, request, service_code):
        if service_code not in self.rules.categories:
            raise NotFound(f"service {service_code} not found")
        return open311.definition(service_code)

    @open311_api("POST", f"{ROOT}/requests.{FMT}", body=schemas.Open311RequestIn, limited=True,
                 summary="Open311: submit a service request (a report)")
    def open311_submit(self, request, body):
        attributes = body["attribute"]
        name = " ".join(n for n in (body["last_name"], body["first_name"]) if n) or None
        details = {k: body[k] for k in ("lat", "long", "media_url", "address_string")
                   if body[k] not in (None, "")}
        if attributes.get("school_name"):
            details["school_name"] = attributes["school_name"]
        receipt = self.intake(
            {"district": body["jurisdiction_id"], "category": body["service_code"],
             "description": body["description"],
             "address": attributes.get("institution_address") or body["address_string"],
             "institution_name": attributes.get("institution_name", ""),
             "credit_code": attributes.get("credit_code")},
            "open311", contact={"name": name, "phone": body["phone"], "email": body["email"]},
            details=details)
        links = self.receipt(receipt)
        return 201, [{"service_request_id": receipt["complaint_id"],
                      "service_notice": f"举报已收到。查询码 {receipt['tracking_code']}，"
                                        f"凭它查询进度和答复：{links['track_page']}",
                      "account_id": None, "tracking_code": receipt["tracking_code"]}]

    @open311_api("GET", f"{ROOT}/requests.{FMT}", query=schemas.Open311Query,
                 summary="Open311: service requests (progress only)")
    def open311_requests(self, request, query):
        ids = [i.strip() for i in (query["service_request_id"] or "").split(",") if i.strip()]
        start = query["start_date"] or self.clock.now() - timedelta(days=DEFAULT_SPAN)
        end = query["end_date"]
        with self.store.read() as conn:
            rows = queries.recent(conn, ids[:LIMIT], query["service_code"],
                                  query["jurisdiction_id"], instant(start),
                                  end and instant(end), LIMIT)
            views = [self.open311_view(conn, row) for row in rows]
        if query["status"] and not ids:
            views = [v for v in views if v["status"] == query["status"]]
        return views

    @open311_api("GET", f"{ROOT}/requests/<request_id>.{FMT}",
                 summary="Open311: one service request (progress only)")
    def open311_request(self, request, request_id):
        with self.store.read() as conn:
            row = queries.find(conn, request_id)
            if row is None:
                raise NotFound(f"service request {request_id} not found")
            return [self.open311_view(conn, row)]

    def open311_view(self, conn, row):
        handled = queries.find(conn, row["merged_into"]) if row["merged_into"] else row
        return request_view(row, handled, self.rules.label(row["category"]))
