"""HTTP entrypoints of the complaints service: the shared `api` with a size cap for
public uploads, the report form's page when the cap on reports is reached, Open311's
own error format; and the headers of the public pages."""
import base64
import hashlib
import json

from werkzeug.wrappers import Response

from shared.ratelimit import TooManyRequests
from shared.web import Api, json_response

from . import evidence, open311

XML = "text/xml; charset=utf-8"

# The form's one script: says in Chinese how many photos are chosen (the browser's own
# file button speaks the browser's language, so the page shows its own).
PHOTO_SCRIPT = ('document.getElementById("photos").addEventListener("change", function (e) {'
                ' var n = e.target.files.length; document.getElementById("photos-chosen")'
                '.textContent = n ? "已选择 " + n + " 张照片" : "未选择照片"; });')
_PHOTO_SCRIPT_HASH = base64.b64encode(hashlib.sha256(PHOTO_SCRIPT.encode()).digest()).decode()
# The public pages: nothing but their own HTML, inline style and that script runs or loads.
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                f"script-src 'sha256-{_PHOTO_SCRIPT_HASH}'; "
                "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-store"}
# Photos plus a generous allowance for the form fields.
MAX_BODY = evidence.MAX_FILES * (evidence.MAX_BYTES + 64 * 1024) + 1024 * 1024


class UploadApi(Api):
    """Refuses over-large bodies (413) before they are parsed."""

    def handle_request(self, request):
        request.max_content_length = MAX_BODY
        return super().handle_request(request)


class FormApi(UploadApi):
    """The report form's submission: a citizen's browser gets a page, not JSON, when
    the address has used up its reports."""

    def response_from_exception(self, exc):
        if isinstance(exc, TooManyRequests):
            wait = exc.headers["Retry-After"]
            return Response(TOO_MANY_PAGE.format(wait=wait), status=429,
                            headers={**PAGE_HEADERS, **exc.headers},
                            content_type="text/html; charset=utf-8")
        return super().response_from_exception(exc)


TOO_MANY_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>提交过于频繁</title></head>
<body style="font-family: sans-serif; margin: 1rem"><h1 style="font-size: 1.3rem">提交过于频繁</h1>
<p>同一网络提交的举报次数已达上限，请 {wait} 秒后再试。紧急情况请拨打各区市举报电话。</p>
<p><a href="/report">返回举报页面</a></p></body></html>"""


class Open311Api(UploadApi):
    """GeoReport v2 in the format the path ends with (`<fmt>`: json or xml). Errors are
    `[{"code": 400, "description": "…"}]` / `<errors><error>…` with the same status.
    `xml_root` names the XML document's root element (the specification's names)."""
    error_schema = {"type": "array", "items": {"type": "object", "properties": {
        "code": {"type": "integer"}, "description": {"type": "string"}}}}

    def __init__(self, method, url, xml_root="service_requests", **kwargs):
        self.xml_root = xml_root
        super().__init__(method, url, **kwargs)

    def handle_request(self, request):
        fmt = request.path_values.pop("fmt", "json")
        response = super().handle_request(request)
        if fmt != "xml":
            return response
        root = "errors" if response.status_code >= 400 else self.xml_root
        return Response(open311.xml(root, json.loads(response.get_data(as_text=True))),
                        status=response.status_code, headers=_kept_headers(response),
                        content_type=XML)

    def response_from_exception(self, exc):
        response = super().response_from_exception(exc)
        payload = json.loads(response.get_data(as_text=True))
        details = [f"{field}: {'; '.join(_messages(messages))}"
                   for field, messages in sorted((payload.get("fields") or {}).items())]
        description = " — ".join([payload.get("error", "error")] + details)
        return json_response([{"code": response.status_code, "description": description}],
                             response.status_code, _kept_headers(response))


def _kept_headers(response):
    return {name: value for name, value in response.headers.items() if name == "Retry-After"}


def _messages(messages):
    if isinstance(messages, dict):
        return [f"{key}: {'; '.join(_messages(value))}" for key, value in messages.items()]
    return [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]


upload_api = UploadApi.decorator
form_api = FormApi.decorator
open311_api = Open311Api.decorator
