"""The console: officer sign-in, sessions, and the pages of every role (the pages
live in the page modules mixed in below). It holds no domain rule: every page asks
a service and shows its answer."""
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from marshmallow import ValidationError
from werkzeug.wrappers import Response

from shared import config
from shared import service as base
from shared.auth import Actor
from shared.clock import rfc3339, utcnow
from shared.errors import BadRequest, Forbidden

# page modules imported whole: `nameko run` would take a mixin class named here for a service
from . import (accounts, documents, page_campaign, page_complaints, page_documents, page_inspections, page_institutions, page_more,
               page_publishing, page_work, projections as views, schemas)
from .backend import Backend
from .domain import Officer
from .events import CATALOGUE
from .labels import label
from .throttle import SignInThrottle
from .web import (COOKIE, SIGNIN_COOKIE, Redirect, SignedOut, clear_session_cookie, page,
                  redirect, render, safe_next, secure_cookies, set_session_cookie, static_file)

IDLE = timedelta(minutes=config.setting("OTG_CONSOLE_IDLE_MINUTES", 30, int))
LIFETIME = timedelta(hours=config.setting("OTG_CONSOLE_SESSION_HOURS", 12, int))
TOUCH_EVERY = timedelta(seconds=60)


@dataclass
class Visit:
    """A signed-in officer's request: who, the form token, the services."""
    officer: dict
    csrf: str
    backend: Backend

    def is_(self, *roles):
        return self.officer["role"] in roles

    def actor(self):
        officer = self.officer
        return Actor(officer["role"], officer["department"], officer["district"],
                     officer["officer_id"])

    def can_see(self, district):
        officer = self.officer
        return Actor(officer["role"], officer["department"], officer["district"]).can_act_in(district)

    def require_district(self, district):
        """The tokens' own rule (shared.auth.Actor): an officer of one district sees
        and does nothing of another; the page says so instead of hiding it."""
        officer = self.officer
        if district and not self.can_see(district):
            raise Forbidden(f"这是{label(district, 'district')}的事项；您只能查看和办理"
                            f"{label(officer['district'], 'district')}的事项 "
                            f"(another district: {district})")


class ConsoleService(page_work.WorkPages, page_institutions.InstitutionPages,
                     page_complaints.ComplaintPages, page_inspections.InspectionPages,
                     page_more.MorePages, page_campaign.CampaignPages,
                     page_publishing.PublishingPages, page_documents.DocumentPages,
                     base.OtgService):
    name = "console"
    store = base.Store(CATALOGUE, [views.ConsoleViews],
                       tables=[accounts.metadata, documents.metadata])
    throttle = SignInThrottle()

    # -- sign-in ----------------------------------------------------------------
    @page("GET", "/signin")
    def signin_form(self, request, errors=None, status=200, message=""):
        """The sign-in form carries a CSRF token too: a double-submitted cookie, as
        there is no session yet (so no other site can sign a browser in)."""
        token = secrets.token_urlsafe(24)
        response = render("signin.html", status, errors=errors or {}, message=message, csrf=token,
                          next=safe_next(request.values.get("next")),
                          login=request.values.get("login", ""))
        response.set_cookie(SIGNIN_COOKIE, token, httponly=True, samesite="Strict", path="/signin",
                            secure=secure_cookies(request))
        return response

    @page("POST", "/signin")
    def signin(self, request):
        if not same_token(request.form.get("csrf"), request.cookies.get(SIGNIN_COOKIE)):
            return self.signin_form(request, status=403, message="表单已过期，请重新登录 (stale form)")
        try:
            form = schemas.SignInForm().load(request.form.to_dict())
        except ValidationError as error:
            return self.signin_form(request, error.messages, 400)
        address = request.remote_addr or "?"
        with self.store.read() as conn:
            account = accounts.by_login(conn, form["login"])
            officer = views.find(conn, account["officer_id"]) if account else None
        wait = self.throttle.wait(form["login"], address)
        if wait:
            self._refuse(officer, "throttled")
            return self.signin_form(request, status=429,
                                    message=f"尝试次数过多，请 {wait} 秒后再试 (too many tries: wait {wait} s)")
        if not accounts.password_matches(account, form["password"]):
            self.throttle.failed(form["login"], address)
            self._refuse(officer, "wrong_password")
            return self.signin_form(request, status=401,
                                    message="登录名或密码不正确 (wrong login or password)")
        if officer["disabled"]:
            self._refuse(officer, "disabled")
            return self.signin_form(request, status=403, message="该账号已停用 (this account is disabled)")
        with self.store.unit() as uow:
            aggregate = uow.load(Officer, officer["officer_id"])
            aggregate.sign_in()
            uow.save(aggregate)
            now = _now_dt()
            accounts.purge_sessions(uow.conn, rfc3339(now - IDLE), rfc3339(now - LIFETIME))
            token = accounts.start_session(uow.conn, officer["officer_id"], rfc3339(now))
        target = "/password" if officer["must_change_password"] else safe_next(form["next"])
        return set_session_cookie(redirect(target), request, token)

    def _refuse(self, officer, reason):
        if officer is None:
            return  # an unknown login: nothing to record against, nothing to name
        with self.store.unit() as uow:
            aggregate = uow.load(Officer, officer["officer_id"])
            aggregate.refuse_sign_in(reason)
            uow.save(aggregate)

    @page("POST", "/signout")
    def signout(self, request):
        visit = self.visit(request, any_state=True)
        with self.store.unit() as uow:
            aggregate = uow.load(Officer, visit.officer["officer_id"])
            aggregate.sign_out()
            uow.save(aggregate)
            accounts.end_session(uow.conn, request.cookies.get(COOKIE))
        return clear_session_cookie(redirect("/signin"), request)

    # -- password -----------------------------------------------------------------
    @page("GET", "/password")
    def password_form(self, request, errors=None, status=200):
        visit = self.visit(request, any_state=True)
        return render("password.html", status, visit=visit, errors=errors or {})

    @page("POST", "/password")
    def change_password(self, request):
        visit = self.visit(request, any_state=True)
        officer_id = visit.officer["officer_id"]
        try:
            form = schemas.PasswordForm().load(request.form.to_dict())
            with self.store.read() as conn:
                account = accounts.by_id(conn, officer_id)
            if not accounts.password_matches(account, form["current"]):
                raise ValidationError({"current": ["当前密码不正确 (the current password is wrong)"]})
            accounts.check_new_password(form["password"], form["repeated"], account["login"])
        except ValidationError as error:
            return self.password_form(request, error.messages, 400)
        except BadRequest as error:  # the password rules
            return self.password_form(request, error.fields, 400)
        with self.store.unit() as uow:
            aggregate = uow.load(Officer, officer_id)
            aggregate.change_password()
            uow.save(aggregate)
            accounts.set_password(uow.conn, officer_id, form["password"])
        return redirect("/?done=password")

    @page("GET", "/officers")
    def officers(self, request):
        """The console's accounts as they stand (admin and the municipal office): who may
        act, in which role, since when, and when they last signed in."""
        visit = self.visit(request)
        if not visit.is_("admin", "coordinator"):
            raise Forbidden("只有系统管理员和市级统筹可以查看账号列表 (admins and the coordinator only)")
        with self.store.read() as conn:
            rows = views.everyone(conn)
            names = accounts.names(conn, [row["officer_id"] for row in rows])
        return render("officers.html", visit=visit, officers=rows, names=names)

    @page("GET", "/static/<name>")
    def static(self, request, name):
        return static_file(name)

    # -- the signed-in officer -------------------------------------------------------
    def visit(self, request, any_state=False):
        """The signed-in officer of this request; a POST must carry the session's CSRF
        token. Raises SignedOut without a live session of an enabled officer."""
        token = request.cookies.get(COOKIE)
        with self.store.read() as conn:
            session = accounts.session(conn, token)
            officer = session and views.find(conn, session["officer_id"])
            account = officer and accounts.by_id(conn, officer["officer_id"])
        if not session or not officer or officer["disabled"] or _expired(session):
            raise SignedOut()
        if request.method == "POST" and not same_token(request.form.get("csrf"), session["csrf"]):
            raise Forbidden("表单已过期，请返回重新提交 (the form's CSRF token is missing or stale)")
        if officer["must_change_password"] and not any_state:
            raise Redirect("/password")
        if _now_dt() - _parse(session["seen_at"]) > TOUCH_EVERY:
            with self.store.store.writing() as conn:
                accounts.touch(conn, token, _now())
        officer = {**officer, "name": account["name"], "certificate": account["certificate"],
                   "login": account["login"]}
        return Visit(officer, session["csrf"], Backend(officer))

    @staticmethod
    def proxied(visit, service, path):
        """A file from a service (a photo), fetched with the officer's token."""
        status, kind, content = visit.backend.raw(service, path)
        if status != 200:
            return render("error.html", status, visit=visit, status=status, message="无法取得该文件")
        return Response(content, content_type=kind, headers={
            "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox"})

    def colleagues(self, visit, everyone=False):
        """Inspectors who may be named as present with the signed-in officer: enabled,
        of the officer's district (any, for the municipal office), the officer first
        (`everyone`: every account, for the names of those named before)."""
        with self.store.read() as conn:
            rows = [row for row in views.everyone(conn) if everyone or (
                row["role"] == "inspector" and not row["disabled"]
                and visit.can_see(row["district"]))]
            details = {row["officer_id"]: accounts.by_id(conn, row["officer_id"]) for row in rows}
        found = [{"officer_id": row["officer_id"], "name": details[row["officer_id"]]["name"],
                  "certificate": details[row["officer_id"]]["certificate"],
                  "department": row["department"]} for row in rows]
        return sorted(found, key=lambda o: (o["officer_id"] != visit.officer["officer_id"], o["name"]))

    def officer_names(self, officer_ids):
        with self.store.read() as conn:
            return accounts.names(conn, {i for i in officer_ids if i})


def same_token(sent, expected):
    """Compared in constant time, as bytes (any text a client sends compares, none raises)."""
    return bool(sent and expected) and hmac.compare_digest(sent.encode(), expected.encode())


def _now_dt():
    return utcnow()


def _now():
    return rfc3339(utcnow())


def _parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _expired(session):
    now = _now_dt()
    return now - _parse(session["seen_at"]) > IDLE or now - _parse(session["started_at"]) > LIFETIME
