"""What every page module shares: the answer of one action (redirect back, or the
page again with the service's refusal), and the query string as the page's state."""
import csv
import io

from werkzeug.wrappers import Response

from shared.clock import default_clock

from .web import redirect, safe_next

DONE = {"password": "密码已修改。", "saved": "已办理。", "suspended": "已责令停业整改。",
        "reinstated": "已恢复经营。", "closed": "已关停。", "review": "已启动黑名单复核。",
        "decided": "复核已决定。", "registered": "机构已登记。", "licence": "证照已记录。",
        "finding": "检查结果已记录。", "completed": "检查已完成，整改通知已生成。",
        "scheduled": "检查已安排。", "verified": "整改验收结果已记录。", "published": "名单已发布。",
        "filed": "名单已报市级备案。", "answered": "已答复举报人。",
        "sampled": "已随机抽取并安排检查。", "patrol": "巡查记录已导入。", "merged": "已合并到主案件。",
        "imported": "已导入。"}


def today():
    """The services' today (their clock: a demo's campaign time), to tell what is overdue."""
    return default_clock().today().isoformat()


def notice(request):
    return DONE.get(request.args.get("done", ""), "")


def back_to(request, default, done="saved"):
    """The page the officer came from (the form's `back`), with what was done."""
    target = safe_next(request.form.get("back") or default)
    return redirect(f"{target}{'&' if '?' in target else '?'}done={done}")


def form_dict(request):
    return {key: value for key, value in request.form.items() if key not in ("csrf", "back")}


def query_of(request, *names):
    return {name: request.args.get(name, "").strip() for name in names}


def page_no(request):
    text = request.args.get("page", "1")
    return int(text) if text.isdigit() and 0 < int(text) < 100000 else 1


def csv_download(filename, header, rows):
    """A table as CSV with a BOM, so Excel on a Chinese Windows opens it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[_inert(value) for value in row] for row in rows])
    return Response("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={filename}", "Cache-Control": "no-store"})


def all_pages(fetch, limit=20):
    """Every item of a paged list (`fetch(page)` answers {items, total, per_page})."""
    items = []
    for number in range(1, limit + 1):
        answer = fetch(number)
        if not answer.ok:
            return answer, items
        items += answer.data["items"]
        if number * answer.data["per_page"] >= answer.data["total"]:
            break
    return answer, items


def _inert(value):
    """A cell Excel will not run as a formula (=, +, -, @ at the start)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
