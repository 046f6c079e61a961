"""Public routes, no login: report (JSON or multipart with photos), follow a report
with its tracking code, reopen once, and the phone-friendly HTML form of the QR codes."""
import os
from datetime import datetime

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.wrappers import Response

from shared import config
from shared.clock import BEIJING
from shared.errors import BadRequest, NotFound, OtgError
from shared.vocabulary import DISTRICTS, LOCAL_DISTRICTS
from shared.web import api, load, request_data

from . import evidence, queries, schemas, vault
from . import projections as views
from .domain import Complaint, instant
from .webapi import PAGE_HEADERS, PHOTO_SCRIPT, form_api, upload_api

STATUS_LABELS = {"received": "已收到", "assigned": "已分派", "acknowledged": "已受理",
                 "verifying": "核查中", "verified": "已核查", "answered": "已答复",
                 "closed": "已办结", "reopened": "重新办理中", "merged": "合并办理中"}
STEPS = (("received_at", "收到举报"), ("acknowledged_at", "受理"),
         ("verification_requested_at", "安排现场核查"), ("verified_at", "核查完成"),
         ("answered_at", "答复"), ("closed_at", "办结"))
# What the form says next to a field it refuses (the API's messages are English).
FORM_HINTS = {"district": "请选择所在区市", "category": "请选择问题类型",
              "description": "请填写具体情况（5至5000字）", "institution_name": "机构名称过长",
              "address": "地址过长", "credit_code": "统一社会信用代码应为18位，请核对或不填",
              "institution_id": "未找到该机构", "supervisor_code": "监督员编码无效",
              "contact": "联系方式格式有误，请重新填写（电话只含数字，邮箱如 name@example.com）",
              "photos": "照片需为 JPG、PNG、GIF、WebP 或 HEIC 格式，每张不超过10MB，最多6张，请重新选择"}
# The pages load nothing from elsewhere; inline styles only.
# page_*.html sit beside this module (package data: "*.html").
pages = Environment(loader=FileSystemLoader(Path(__file__).parent),
                    autoescape=select_autoescape(), trim_blocks=True, lstrip_blocks=True)


def local_time(text):
    """'2024-01-20T08:00:00Z' -> '2024-01-20 16:00' (Beijing time, as citizens read it)."""
    return datetime.fromisoformat(text).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


pages.filters["local_time"] = local_time
pages.globals["photo_script"] = PHOTO_SCRIPT


def public_url():
    return (os.environ.get("OTG_COMPLAINTS_PUBLIC_URL") or config.service_url("complaints")).rstrip("/")


def public_site():
    """The public site, where the report pages lead back to."""
    return (os.environ.get("OTG_DISCLOSURE_PUBLIC_URL") or config.service_url("disclosure")).rstrip("/")


def uploaded_files(request):
    return [evidence.read_storage(storage) for key in ("photos", "photo", "media")
            for storage in request.files.getlist(key)]


def tracking_view(own, handled, case, can_reopen, categories):
    """What a reporter sees with the tracking code: progress and the answer, nothing else."""
    status = handled["status"]
    answered = status in ("answered", "closed") and case and case["answer"]
    steps = [{"step": "received", "label": STEPS[0][1], "at": own["received_at"]}]
    if handled is not own:
        steps.append({"step": "merged", "label": "与同一事项的举报合并办理", "at": None})
    steps += [{"step": column[:-3], "label": label, "at": handled[column]}
              for column, label in STEPS[1:] if handled[column]]
    return {
        "status": status, "status_label": STATUS_LABELS[status],
        "category": own["category"], "category_label": categories.label(own["category"]),
        "district": own["district"], "district_name": DISTRICTS[own["district"]],
        "institution_name": own["institution_name"], "received_at": own["received_at"],
        "steps": steps,
        "answer": ({"text": case["answer"], "answered_at": case["answered_at"],
                    "substantiated": handled["substantiated"]} if answered else None),
        "can_reopen": bool(can_reopen and status in ("answered", "closed")),
    }


def page(template, status=200, **context):
    body = pages.get_template(template).render(public_site=public_site(), **context)
    return Response(body, status=status, headers=PAGE_HEADERS, content_type="text/html; charset=utf-8")


class PublicDesk:
    """Mixed into ComplaintsService."""

    @upload_api("POST", "/complaints", body=schemas.ComplaintIn, response=schemas.ReceiptOut,
                limited=True, summary="report (public; JSON, or multipart/form-data with `photos`)")
    def report(self, request, body):
        uploads = evidence.check(uploaded_files(request))
        receipt = self.intake(body, "web", uploads, contact=body.get("contact"))
        return 201, self.receipt(receipt)

    @api("GET", "/track/<code>", response=schemas.TrackOut,
         summary="a report's progress and answer, by its tracking code (public)")
    def track(self, request, code):
        return self.tracking(code)

    @api("POST", "/track/<code>/reopen", body=schemas.ReopenIn, response=schemas.TrackOut,
         summary="the reporter is not satisfied with the answer: reopen (once)")
    def reopen(self, request, code, body):
        self.reopen_case(code, body["reason"])
        return self.tracking(code)

    # -- HTML -----------------------------------------------------------------------
    @api("GET", "/report", summary="the report form (HTML, opened by the QR codes)")
    def report_form(self, request):
        return self.form_page(request.args.get("district"))

    @form_api("POST", "/report", limited=True, summary="the report form's submission (HTML)")
    def report_form_submit(self, request):
        data = request_data(request)
        try:
            body = load(schemas.ComplaintIn, data)
            receipt = self.intake(body, "web", evidence.check(uploaded_files(request)),
                                  contact=body.get("contact"))
        except BadRequest as error:
            # never echo contact details back, not even to the reporter's own page
            values = {k: v for k, v in data.items() if not k.startswith("contact")}
            hints = {field: [FORM_HINTS.get(field, "请检查此项")] for field in error.fields}
            return self.form_page(data.get("district"), values, hints, status=400)
        return page("page_receipt.html", status=201, receipt=self.receipt(receipt))

    @api("GET", "/report/track", summary="a report's progress (HTML)")
    def report_track_page(self, request):
        code = request.args.get("code", "")
        if not code:
            return page("page_track.html", view=None, code="")
        try:
            return page("page_track.html", view=self.tracking(code), code=code)
        except NotFound:
            return page("page_track.html", status=404, view=None, code=code, missing=True)

    @api("POST", "/report/reopen", summary="reopen from the tracking page (HTML)")
    def report_reopen_page(self, request):
        data = request_data(request)
        code, reason = data.get("code", ""), (data.get("reason") or "").strip()
        try:
            load(schemas.ReopenIn, {"reason": reason})
            self.reopen_case(code, reason)
        except NotFound:
            return page("page_track.html", status=404, view=None, code=code, missing=True)
        except OtgError as error:
            return page("page_track.html", status=error.status, view=self.tracking(code), code=code,
                        problem=str(error))
        return page("page_track.html", view=self.tracking(code), code=code)

    # -- helpers ----------------------------------------------------------------------
    def form_page(self, district, values=None, errors=None, status=200):
        district = district if district in LOCAL_DISTRICTS else None
        with self.store.read() as conn:
            names = views.institution_names(conn, district) if district else []
        return page("page_report.html", status=status, district=district, values=values or {},
                    errors=errors or {}, names=names, districts=DISTRICTS,
                    local_districts=LOCAL_DISTRICTS, categories=self.rules.categories,
                    max_files=evidence.MAX_FILES, max_mb=evidence.MAX_BYTES // (1024 * 1024))

    def receipt(self, receipt):
        code = receipt["tracking_code"]
        return {"complaint_id": receipt["complaint_id"], "tracking_code": code,
                "status": receipt["status"], "track_url": f"{public_url()}/track/{code}",
                "track_page": f"{public_url()}/report/track?code={code}"}

    def tracking(self, code):
        with self.store.read() as conn:
            complaint_id = vault.by_tracking_code(conn, code)
            if complaint_id is None:
                raise NotFound("no report has this tracking code")
            own = queries.find(conn, complaint_id)
            handled = queries.find(conn, own["merged_into"]) if own["merged_into"] else own
            case = vault.case_file(conn, self.vault.keeper, handled["id"])
            own_code = vault.tracking_code_of(conn, complaint_id)
        can_reopen = complaint_id not in self.aggregate(handled["id"]).reopened_by
        return {"tracking_code": vault.display_code(own_code),
                **tracking_view(own, handled, case, can_reopen, self.rules)}

    def reopen_case(self, code, reason):
        now = self.clock.now()
        with self.store.unit() as uow:
            own_id = vault.by_tracking_code(uow.conn, code)
            if own_id is None:
                raise NotFound("no report has this tracking code")
            own = uow.load(Complaint, own_id)
            handled = uow.load(Complaint, own.merged_into) if own.merged_into else own
            handled.reopen(own_id, self.rules, now)
            vault.add_note(uow.conn, self.vault.keeper, handled.id, "reopen", reason, instant(now))
            uow.save(handled)
