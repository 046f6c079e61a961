"""HTTP entrypoints of the complaints service: the shared `api`, with a size cap for
public uploads, and Open311's own error format."""
import json

from shared.web import Api, json_response

from . import evidence

# Photos plus a generous allowance for the form fields.
MAX_BODY = evidence.MAX_FILES * (evidence.MAX_BYTES + 64 * 1024) + 1024 * 1024


class UploadApi(Api):
    """Refuses over-large bodies (413) before they are parsed."""

    def handle_request(self, request):
        request.max_content_length = MAX_BODY
        return super().handle_request(request)


class Open311Api(UploadApi):
    """GeoReport v2 errors: `[{"code": 400, "description": "…"}]` with the same status."""

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
open311_api = Open311Api.decorator
