"""HTML pages for people: a nameko `http` entrypoint that answers with rendered
pages (Jinja2, autoescaped), redirects signed-out visitors to the sign-in page and
turns every refusal into a page that says why — never a stack trace."""
import logging
from functools import partial, wraps
from pathlib import Path
from urllib.parse import quote

from eventlet.event import Event
from jinja2 import Environment, FileSystemLoader, select_autoescape
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from shared import config
from shared.errors import OtgError
from shared.web import OtgWebServer

from . import labels

log = logging.getLogger(__name__)
HTML = "text/html; charset=utf-8"
COOKIE = "otg_console"
SIGNIN_COOKIE = "otg_console_signin"
STATIC = Path(__file__).parent / "static"
MAX_UPLOAD = 25 * 1024 * 1024  # a few phone photos or a ledger
# Nothing is loaded from elsewhere and no inline script runs: an injected <script> is inert.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; form-action 'self'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True,
                        lstrip_blocks=True)
templates.globals.update(labels=labels, label=labels.label, districts=labels.DISTRICTS)
templates.filters["reason"] = labels.reason
templates.filters["local"] = labels.local
templates.filters["message"] = labels.message


class SignedOut(Exception):
    """No valid session: the visitor is sent to the sign-in page."""


class Redirect(Exception):
    def __init__(self, location):
        super().__init__(location)
        self.location = location


def render(template, code=200, **context):
    body = templates.get_template(template).render(**context)
    return Response(body, status=code, content_type=HTML, headers=SECURITY_HEADERS)


def redirect(location):
    return Response("", status=303, headers={"Location": location, **SECURITY_HEADERS})


def set_session_cookie(response, request, token):
    response.set_cookie(COOKIE, token, httponly=True, samesite="Lax", path="/",
                        secure=secure_cookies(request))
    return response


def clear_session_cookie(response, request):
    response.delete_cookie(COOKIE, httponly=True, samesite="Lax", path="/",
                           secure=secure_cookies(request))
    return response


def secure_cookies(request):
    """Secure cookies over HTTPS (behind a TLS proxy, with OTG_TRUSTED_PROXIES set)
    or when OTG_CONSOLE_SECURE_COOKIES=1 says the console is only reached that way."""
    return request.scheme == "https" or config.setting("OTG_CONSOLE_SECURE_COOKIES", False,
                                                       config.flag)


class Page(HttpRequestHandler):
    """The HTTP entrypoint of a page; see `page`."""
    server = OtgWebServer()

    def handle_request(self, request):
        request.shallow = False
        request.max_content_length = MAX_UPLOAD  # larger: 413, before anything is read
        try:
            event = Event()
            self.container.spawn_worker(self, (request,), dict(request.path_values),
                                        context_data={},
                                        handle_result=partial(self.handle_result, event))
            return event.wait()
        except HTTPException as exc:
            return render("error.html", exc.code, status=exc.code, message=exc.description)
        except Exception as exc:
            log.error("unexpected error in %s %s", self.method, self.url, exc_info=exc)
            return render("error.html", 500, status=500, message="内部错误 (internal error)")


def page(method, url):
    """`@page("GET", "/institutions")`: the method returns a werkzeug Response; a
    visitor without a session is sent to sign in, and a refusal (OtgError) becomes a
    page that says why — answers, not errors, so nothing is logged as one."""
    def decorate(function):
        @wraps(function)
        def answered(self, request, *args, **kwargs):
            try:
                return function(self, request, *args, **kwargs)
            except SignedOut:
                target = request.full_path.rstrip("?") if request.method == "GET" else "/"
                return redirect(f"/signin?next={quote(target, safe='')}")
            except Redirect as moved:
                return redirect(moved.location)
            except OtgError as refused:
                return render("error.html", refused.status, status=refused.status,
                              message=str(refused), fields=refused.fields)
            except HTTPException as refused:  # e.g. 413, a body too large
                return render("error.html", refused.code, status=refused.code,
                              message=refused.description)
        return Page.decorator(method, url)(answered)
    return decorate


def static_file(name):
    path = (STATIC / name).resolve()
    if path.parent != STATIC.resolve() or not path.is_file():
        return Response("not found", status=404)
    kind = {"css": "text/css", "js": "application/javascript", "svg": "image/svg+xml"}.get(
        path.suffix.lstrip("."), "application/octet-stream")
    return Response(path.read_bytes(), content_type=f"{kind}; charset=utf-8",
                    headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"})


def safe_next(target):
    """Only a path of this console: never an open redirect to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
