"""HTTP: a nameko `http` entrypoint that authenticates, validates input with
marshmallow, answers JSON, and maps errors to JSON bodies with status codes."""
import json
import logging
import uuid
from functools import partial

from eventlet.event import Event
from marshmallow import ValidationError, fields, validate
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, parse_address
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from shared import auth, config
from shared.errors import BadRequest, OtgError
from shared.ratelimit import ForwardedFor, PublicLimit

log = logging.getLogger(__name__)
JSON = "application/json; charset=utf-8"


class OtgWebServer(WebServer):
    """Listens on the service's own port (`OTG_<SERVICE>_PORT`, default 800N)
    unless WEB_SERVER_ADDRESS is configured; keeps the service's public limit."""

    def setup(self):
        super().setup()
        self.public_limit = PublicLimit(config.public_rate_limit())

    def get_wsgi_app(self):
        app = super().get_wsgi_app()
        proxies = config.trusted_proxies()
        return ForwardedFor(app, proxies) if proxies else app

    @property
    def bind_addr(self):
        address = self.container.config.get("WEB_SERVER_ADDRESS")
        if not address:
            address = f"0.0.0.0:{config.port(self.container.service_name)}"
        return parse_address(address)


def json_response(payload, status=200, headers=None):
    body = json.dumps(payload, ensure_ascii=False, default=str)
    return Response(body, status=status, headers=headers, content_type=JSON)


def error_response(status, message, fields=None, headers=None):
    payload = {"error": message}
    if fields:
        payload["fields"] = fields
    return json_response(payload, status, headers)


def request_data(request):
    """The request's JSON object, or its form fields for multipart/urlencoded posts."""
    if request.mimetype == "multipart/form-data":
        return request.form.to_dict()
    raw = request.get_data()
    if not raw:
        return {}
    if request.mimetype == "application/x-www-form-urlencoded" and not raw.lstrip().startswith(b"{"):
        return request.form.to_dict()
    try:
        data = json.loads(request.get_data(as_text=True))
    except ValueError as error:
        raise BadRequest(f"the body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object", {"_schema": ["expected a JSON object"]})
    return data


MAX_PAGE = 1_000_000  # a larger offset overflows the database's integer


def page_field():
    """`page` of a paged list: from 1 up to a page whose offset the database can hold."""
    return fields.Int(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))


def load(schema_class, data, **kwargs):
    try:
        return schema_class(**kwargs).load(data)
    except ValidationError as error:
        raise BadRequest("invalid input", error.messages) from None


class Api(HttpRequestHandler):
    """`@api("POST", "/institutions", roles=("registrar",), body=InstitutionIn)`.

    `roles=None` means public; `limited=True` caps what one address may file
    (shared/ratelimit.py). A declared `body` or `query` schema is loaded and
    passed to the method as the `body` / `query` keyword. The method returns a
    payload (200), `(status, payload)`, or a werkzeug Response.
    """
    server = OtgWebServer()

    def __init__(self, method, url, roles=None, body=None, query=None, response=None,
                 summary=None, limited=False, **kwargs):
        self.roles, self.body, self.query, self.limited = roles, body, query, limited
        self.response, self.summary = response, summary
        # a refused request is the client's error: nameko logs it as a warning, not an error
        kwargs.setdefault("expected_exceptions", (OtgError, ValidationError, HTTPException))
        super().__init__(method, url, **kwargs)

    def handle_request(self, request):
        request.shallow = False
        try:
            if self.limited:
                self.server.public_limit.check(request.remote_addr)
            args, kwargs, context_data = self._parse(request)
            event = Event()
            self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                        handle_result=partial(self.handle_result, event))
            response = self.response_from_result(event.wait())
        except Exception as exc:
            return self.response_from_exception(exc)
        if self.limited and response.status_code < 300:
            self.server.public_limit.count(request.remote_addr)
        return response

    def _parse(self, request):
        actor = auth.from_header(request.headers.get("Authorization"))
        if self.roles is not None:
            auth.require_role(actor, self.roles)
        context_data = {
            "otg.actor": actor.as_dict() if actor else None,
            "otg.correlation_id": request.headers.get("X-Correlation-Id") or str(uuid.uuid4()),
        }
        kwargs = dict(request.path_values)
        if self.body is not None:
            kwargs["body"] = load(self.body, request_data(request))
        if self.query is not None:
            kwargs["query"] = load(self.query, request.args.to_dict())
        return (request,), kwargs, context_data

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status = 200
        if isinstance(result, tuple):
            status, result = result
        return json_response(result, status)

    def response_from_exception(self, exc):
        if isinstance(exc, ValidationError):
            return error_response(400, "invalid input", exc.messages)
        if isinstance(exc, OtgError):
            return error_response(exc.status, str(exc), exc.fields, getattr(exc, "headers", None))
        if isinstance(exc, HTTPException):
            return error_response(exc.code, exc.description)
        log.error("unexpected error in %s %s", self.method, self.url, exc_info=exc)
        return error_response(500, "internal error")


api = Api.decorator
