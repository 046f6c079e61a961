"""Issue 10's security checks of the console, against the real processes: no page
without a session, CSRF, the cookie's flags, throttled sign-in, a disabled officer,
district bounds, and no 500 whatever a form is sent."""
import re
import requests
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from consoling import add_officer, console_url, csrf_in, otg_officers, signed_in
from services.console.service import ConsoleService
from services.console.web import Page
from shared import creditcode
from support import feed_token

OPEN = {"/signin", "/static/<name>"}


def console_routes():
    """(method, path) of every page, path values filled with `1`."""
    for base in ConsoleService.__mro__:
        for attr in vars(base).values():
            for entry in getattr(attr, ENTRYPOINT_EXTENSIONS_ATTR, ()):
                if isinstance(entry, Page) and entry.url not in OPEN:
                    yield entry.method, re.sub(r"<(?:int:)?(\w+)>", "1", entry.url)


def register(cluster, token, district, name):
    code = creditcode.complete(f"52{district}MJ" + str(abs(hash(name)) % 10**7).zfill(7))
    answer = cluster.api("registry").post("/institutions", token("registrar", "education", district),
                                          json={"name": name, "credit_code": code, "district": district,
                                                "category": "academic", "address": "某路 1 号"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_no_console_page_is_reachable_signed_out(cluster):
    cluster.start("console")
    base, routes = console_url(cluster), set(console_routes())
    assert len(routes) > 20
    for method, path in sorted(routes):
        answer = requests.request(method, base + path, allow_redirects=False, timeout=30)
        assert answer.status_code == 303, (method, path, answer.status_code)
        assert answer.headers["Location"].startswith("/signin"), (method, path)


def test_a_form_without_its_csrf_token_changes_nothing(cluster, token):
    cluster.start("console", "registry")
    institution = register(cluster, token, "371002", "甲学堂")
    session = signed_in(cluster, "hc-edu", add_officer(cluster, "hc-edu", "registrar"))
    other = signed_in(cluster, "hc-edu-2", add_officer(cluster, "hc-edu-2", "registrar"))
    stolen = csrf_in(other.get(other.base + "/").text)
    for csrf in (None, "", "令牌", stolen):
        data = {"reason": "消防通道堵塞", **({"csrf": csrf} if csrf is not None else {})}
        answer = session.post(f"{session.base}/institutions/{institution['id']}/suspend", data=data)
        assert answer.status_code == 403 and "CSRF" in answer.text
    status = cluster.api("registry").get(f"/institutions/{institution['id']}",
                                         token("registrar", "education", "371002")).json()["status"]
    assert status == "open"
    anonymous = requests.post(session.base + "/signin", data={"login": "hc-edu", "password": "x"})
    assert anonymous.status_code == 403  # the sign-in form has its token too


def test_the_session_cookie_is_http_only_same_site_and_secure_behind_tls(cluster):
    cluster.start("console", OTG_TRUSTED_PROXIES="127.0.0.1")
    base, password = console_url(cluster), add_officer(cluster, "hc-edu", "registrar")
    for proto, secure in (("http", False), ("https", True)):
        session = requests.Session()
        form = session.get(base + "/signin", headers={"X-Forwarded-Proto": proto})
        answer = requests.post(base + "/signin", allow_redirects=False,  # a Secure cookie by hand
                               headers={"X-Forwarded-Proto": proto},
                               cookies={"otg_console_signin": session.cookies["otg_console_signin"]},
                               data={"login": "hc-edu", "password": password, "csrf": csrf_in(form.text)})
        cookie = answer.headers["Set-Cookie"]
        assert cookie.startswith("otg_console=") and "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie and "Path=/" in cookie
        assert ("Secure" in cookie) is secure, cookie


def test_sign_in_is_throttled_per_account_and_per_address(cluster):
    cluster.start("console", OTG_CONSOLE_ACCOUNT_LIMIT="3/15 minutes",
                  OTG_CONSOLE_ADDRESS_LIMIT="5/15 minutes")
    base = console_url(cluster)
    first, second = add_officer(cluster, "hc-a", "registrar"), add_officer(cluster, "hc-b", "handler")

    def sign_in(login, password):
        session = requests.Session()
        form = session.get(base + "/signin")
        return session.post(base + "/signin", allow_redirects=False,
                            data={"login": login, "password": password, "csrf": csrf_in(form.text)})
    assert [sign_in("hc-a", "wrong-guess").status_code for _ in range(3)] == [401] * 3
    refused = sign_in("hc-a", first)  # the right password, too late
    assert refused.status_code == 429 and "秒后再试" in refused.text
    assert sign_in("hc-b", "wrong-guess").status_code == 401
    assert sign_in("nobody", "wrong-guess").status_code == 401
    assert sign_in("hc-b", second).status_code == 429  # the address used up its tries
    feed = cluster.api("console").get("/events", params={"types": "SignInRefused"}).json()
    assert {e["data"]["reason"] for e in feed} == {"wrong_password", "throttled"}


def test_a_disabled_officer_is_locked_out_at_once(cluster):
    cluster.start("console")
    password = add_officer(cluster, "hc-edu", "registrar")
    session = signed_in(cluster, "hc-edu", password)
    assert session.get(session.base + "/", allow_redirects=False).status_code == 200
    assert otg_officers(cluster, "disable", "hc-edu").returncode == 0
    answer = session.get(session.base + "/", allow_redirects=False)
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/signin")
    again = requests.Session()
    form = again.get(session.base + "/signin")
    refused = again.post(session.base + "/signin", data={
        "login": "hc-edu", "password": "a-good-long-password", "csrf": csrf_in(form.text)})
    assert refused.status_code == 403 and "停用" in refused.text


def test_an_officer_of_371002_sees_and_does_nothing_of_371003(cluster, token):
    cluster.start("console", "registry")
    theirs = register(cluster, token, "371003", "文登乙学堂")
    register(cluster, token, "371002", "环翠丙学堂")
    session = signed_in(cluster, "hc-edu", add_officer(cluster, "hc-edu", "registrar"))
    page = session.get(f"{session.base}/institutions/{theirs['id']}")
    assert page.status_code == 403 and "文登区" in page.text and "文登乙学堂" not in page.text
    listed = session.get(f"{session.base}/institutions?district=371003")
    assert "环翠丙学堂" in listed.text and "文登乙学堂" not in listed.text
    assert session.get(f"{session.base}/lists?district=371003").status_code == 403
    csrf = csrf_in(session.get(session.base + "/").text)
    for action in ("suspend", "close", "review"):
        answer = session.post(f"{session.base}/institutions/{theirs['id']}/{action}",
                              data={"csrf": csrf, "reason": "越权尝试"})
        assert answer.status_code == 403, action
    after = cluster.api("registry").get(f"/institutions/{theirs['id']}",
                                        token("registrar", "education", "371003")).json()
    assert after["status"] == "open" and after["review"] is None


BAD_INPUT = [{}, {"reason": ""}, {"reason": "x" * 100_000, "name": "x" * 100_000},
             {"reason": "<script>alert(1)</script>", "name": "<script>alert(1)</script>",
              "text": "<script>alert(1)</script>", "note": "<script>alert(1)</script>",
              "credit_code": "<script>", "district": "<script>", "category": "<b>"},
             {"decision": ["a", "b"], "passed": "maybe", "substantiated": "3", "deadline": "tomorrow",
              "rectification_deadline": "2024-13-45", "new_deadline": "-1", "kind": "{}",
              "institution_id": "../" * 2 + "etc",  # a path, not an id
              "result.fire.evacuation": "fail",
              "severity.fire.evacuation": "apocalyptic"}]


def test_no_form_answers_500_to_bad_input_and_script_tags_are_never_echoed_raw(cluster, token):
    cluster.start("console", "registry", "inspection", "complaints", "tasks", "disclosure")
    institution = register(cluster, token, "371002", "丁学堂")
    sessions = [signed_in(cluster, login, add_officer(cluster, login, role, department))
                for login, role, department in (("hc-reg", "registrar", "education"),
                                                ("hc-fire", "inspector", "fire"),
                                                ("hc-handler", "handler", "education"))]
    posts = sorted({path for method, path in console_routes() if method == "POST"} - {"/signout"})
    for session in sessions:
        csrf = csrf_in(session.get(session.base + "/").text)
        for path in posts:
            path = path.replace("/institutions/1/", f"/institutions/{institution['id']}/")
            for data in BAD_INPUT:
                answer = session.post(session.base + path, data={"csrf": csrf, **data})
                assert answer.status_code < 500, (path, data.keys(), answer.text[:300])
                assert "<script>alert(1)</script>" not in answer.text, (path, answer.text[:300])


def test_signing_out_ends_the_session_on_the_server_too(cluster):
    cluster.start("console")
    session = signed_in(cluster, "hc-edu", add_officer(cluster, "hc-edu", "registrar"))
    cookie = session.cookies["otg_console"]
    session.post(session.base + "/signout", data={"csrf": csrf_in(session.get(session.base + "/").text)})
    replayed = requests.get(session.base + "/", cookies={"otg_console": cookie}, allow_redirects=False)
    assert replayed.status_code == 303 and replayed.headers["Location"].startswith("/signin")
