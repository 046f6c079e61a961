"""The scoreboard and the dashboard page: a chart per task, self-contained, in Chinese."""
import re
from datetime import date
from pathlib import Path

from services.tasks import dashboard, plans, reports
from services.tasks.domain import Plan
from services.tasks.measures import Measured

PLAN = Plan(plans.parse((Path(__file__).parents[2] / "deploy" / "plans" /
                         "weihai-2024-winter.yaml").read_bytes()))
TODAY = date(2024, 1, 27)


def progress_of(district, done=(), value=0.0):
    measured = {t["task_no"]: Measured(1.0 if t["task_no"] in done else value,
                                       t["task_no"] in done) for t in PLAN.tasks}
    return reports.progress(PLAN, district, measured, {}, TODAY)


def board(*progresses, namings=None):
    return reports.scoreboard(PLAN, list(progresses), namings or {}, TODAY)


def test_progress_marks_tasks_past_deadline_overdue_and_others_on_track():
    entries = progress_of("371002", done=(1,))["tasks"]
    assert [e["status"] for e in entries] == ["done"] + ["overdue"] * 4 + ["on_track"] * 3
    assert entries[5]["days_left"] == 10


def test_scoreboard_ranks_the_district_with_fewer_overdue_tasks_first():
    result = board(progress_of("371002"), progress_of("371003", done=(1, 2, 3, 4, 5)))
    assert [(r["district"], r["rank"], r["overdue"]) for r in result["districts"]] == [
        ("371003", 1, 0), ("371002", 2, 5)]
    assert result["districts"][1]["overdue_tasks"] == [1, 2, 3, 4, 5]


def test_dashboard_has_one_inline_chart_per_task_and_no_external_assets():
    progresses = [progress_of("371002", done=(1,)), progress_of("371003", value=0.5)]
    page = dashboard.render(reports.dashboard(PLAN, progresses, board(*progresses)))
    assert page.count("<svg") == 8
    assert "任务3：开展一次安全自查自纠" in page and "区市排名" in page and "环翠区" in page
    assert not re.search(r"""(src|href)=["']?https?:""", page)
    assert "<script" not in page and "<link" not in page


def test_naming_reasons_default_to_the_overdue_tasks():
    reasons = reports.default_reasons(progress_of("371002", done=(1, 2, 3, 4))["tasks"])
    assert reasons == ["任务5「开展一次思想教育活动」逾期未完成（截止2024-01-26）"]
