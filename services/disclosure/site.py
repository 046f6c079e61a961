"""The public website: HTML pages, CSV downloads and the Atom feed (no login).

A mixin of DisclosureService; `Page` is the `api` entrypoint answering errors
as an HTML page instead of JSON, since people, not programs, read these."""
import functools
import logging

from marshmallow import ValidationError
from werkzeug.wrappers import Response

from shared import service as base
from shared.clock import Clock
from shared.errors import BadRequest, NotFound, OtgError
from shared.store import WRITES
from shared.vocabulary import DISTRICTS, LOCAL_DISTRICTS
from shared.web import Api

from . import channels, queries, render, schemas

log = logging.getLogger(__name__)
LISTS = ("white", "black")
TITLES = {400: "请求有误", 404: "未找到", 409: "无法完成"}
# A caching proxy (deploy/OPERATIONS.md) answers repeats for 30 s, then asks again with
# If-None-Match; a browser asks every time (a 304 is cheap), so a reader who reloads after
# a change sees it at once when served directly, within half a minute through the proxy.
CACHE_CONTROL = "public, max-age=0, s-maxage=30"


class Page(Api):
    def handle_request(self, request):
        """A repeat that holds the page's current validator is answered here, before
        a worker is spawned or its query string is parsed: one primary-key read."""
        if request.if_none_match and getattr(self._page_method(), "validated", False):
            deps = {type(d): d for d in self.container.dependencies}
            tag = current_tag(deps[base.Store].store.cursor(WRITES), deps[Clock].clock)
            if tag in request.if_none_match:
                return with_validator(Response(status=304), tag)
        return super().handle_request(request)

    def _page_method(self):
        return getattr(self.container.service_cls, self.method_name, None)

    def response_from_exception(self, exc):
        if isinstance(exc, (BadRequest, ValidationError)):
            return render.page("error.html", 400, title=TITLES[400],
                               message="查询条件不正确，请检查后重试。")
        if isinstance(exc, OtgError) and exc.status < 500:
            return render.page("error.html", exc.status, title=TITLES.get(exc.status, "无法访问"),
                               message=str(exc))
        log.error("unexpected error on %s", self.url, exc_info=exc)
        return render.page("error.html", 500, title="出错了", message="请稍后再试。")


page = Page.decorator


def check_list(name):
    if name not in LISTS:
        raise NotFound(f"没有“{name}”名单：只有 white（白名单）和 black（黑名单）")
    return name


def district_code(code):
    if code not in LOCAL_DISTRICTS:
        raise NotFound(f"没有代码为 {code} 的区市")
    return code


def current_tag(writes, clock):
    """A page's validator: this database's state (every unit of work moves it on, a
    mirrored licence change too) and the day (standing is as of today)."""
    return f"{writes}-{clock.today().isoformat()}"


def with_validator(response, tag):
    response.set_etag(tag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def validated(method):
    """A page with a validator; Page.handle_request answers a repeat that holds it."""
    @functools.wraps(method)
    def answer(self, request, *args, **kwargs):
        tag = current_tag(self.store.writes(), self.clock)  # before the queries: never too new
        response = method(self, request, *args, **kwargs)
        return with_validator(response, tag) if response.status_code == 200 else response
    answer.validated = True
    return answer


class PublicSite:
    @page("GET", "/", summary="home page (HTML)")
    @validated
    def home_page(self, request):
        with self.store.read() as conn:
            counts = {code: {"white": 0, "black": 0, "stopped": 0} for code in LOCAL_DISTRICTS}
            for name in LISTS:
                for batch in queries.latest_batches(conn, name):
                    counts[batch["district"]][name] = len(batch["institution_ids"])
            for batch in queries.latest_batches(conn, "white"):
                counts[batch["district"]]["stopped"] = queries.no_choice_count(conn, batch)
            cases = queries.case_list(conn, per_page=5)["items"]
            notices = queries.notice_list(conn, limit=5)
        return render.page("home.html", counts=counts, cases=cases, notices=notices)

    @page("GET", "/districts/<district>", summary="a district's lists, cases and report channels (HTML)")
    @validated
    def district_page(self, request, district):
        district_code(district)
        with self.store.read() as conn:
            view = queries.district_view(conn, district)
        channel = self._channel(district)
        return render.page("district.html", district=district, name=DISTRICTS[district],
                           **view, channel=channel, sample=channels.load()["sample"])

    @page("GET", "/districts/<district>/<list_name>", query=schemas.PageListQuery,
          summary="one district's list, any batch (HTML)")
    @validated
    def list_page(self, request, district, list_name, query):
        district_code(district)
        check_list(list_name)
        with self.store.read() as conn:
            view = queries.list_view(conn, list_name, district, query["batch"], query["page"])
        batch = view["batches"][0] if view["batches"] else None
        if batch:
            batch["entries"] = batch.pop("institutions")
        elif query["batch"]:
            raise NotFound(f"第 {query['batch']} 批不存在")
        return render.page("list.html", district=district, name=DISTRICTS[district],
                           list_name=list_name, batch=batch, batches=view["history"])

    @page("GET", "/search", query=schemas.PageSearchQuery, summary="institution search (HTML)")
    @validated
    def search_page(self, request, query):
        found = {"items": [], "page": 1, "more": False}
        if query["q"]:
            with self.store.read() as conn:
                found = queries.search(conn, **{**query, "q": query["q"].strip()})
        return render.page("search.html", q=query["q"], district=query["district"],
                           results=found["items"], page=found["page"], more=found["more"])

    @page("GET", "/cases", query=schemas.CaseQuery, summary="published cases (HTML)")
    @validated
    def cases_page(self, request, query):
        with self.store.read() as conn:
            result = queries.case_list(conn, **{**query, "include_withdrawn": False})
        return render.page("cases.html", result=result, district=query["district"])

    @page("GET", "/cases/<case_id>", summary="one case (HTML)")
    @validated
    def case_page(self, request, case_id):
        with self.store.read() as conn:
            case = queries.case_detail(conn, case_id)
        if case is None:
            raise NotFound("没有这个案例")
        return render.page("case.html", case=case)

    @page("GET", "/notices", summary="district notices (HTML)")
    @validated
    def notices_page(self, request):
        with self.store.read() as conn:
            notices = queries.notice_list(conn)
        return render.page("notices.html", notices=notices)

    @page("GET", "/report", summary="how to report, per district (HTML)")
    @validated
    def report_page(self, request):
        data = channels.load()
        for channel in data["districts"]:
            channel["qr"] = render.qr_svg(channel["form_url"])
        with self.store.read() as conn:
            stats = queries.complaint_counts(conn)
        return render.page("report.html", channels=data["districts"], sample=data["sample"],
                           city=data["city"], stats=stats)

    @page("GET", "/lists/<list_name>.csv", query=schemas.DistrictQuery,
          summary="a list as CSV (UTF-8 with BOM): one district's newest batch, or every district's")
    @validated
    def list_csv(self, request, list_name, query):
        name = check_list(list_name)
        with self.store.read() as conn:
            chosen = queries.latest_batches(conn, name, query["district"])
            full = [queries.with_entries(conn, batch) for batch in chosen]
        return render.list_csv(name, full)

    @page("GET", "/feed.atom", summary="Atom feed of cases and notices")
    @validated
    def atom_feed(self, request):
        with self.store.read() as conn:
            entries = queries.feed_entries(conn)
        updated = entries[0]["updated"] if entries else "1970-01-01T00:00:00Z"
        return render.atom(request.host_url, entries, updated)

    def _channel(self, district):
        channel = channels.for_district(district)
        channel["qr"] = render.qr_svg(channel["form_url"])
        return channel
