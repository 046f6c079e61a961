"""The dashboard page: one inline SVG bar chart per task (districts' progress
against the target), no external assets, Chinese labels."""
from html import escape
from importlib.resources import files

from jinja2 import Environment
from markupsafe import Markup

COLOURS = {"done": "#2e7d32", "on_track": "#f9a825", "overdue": "#c62828"}
LABELS = {"done": "已完成", "on_track": "按期推进", "overdue": "逾期"}
LABEL_WIDTH, BAR_WIDTH, ROW, TOP = 96, 300, 24, 8

# The template ships beside this module (package data "*.html").
_template = Environment(autoescape=True).from_string(
    (files("services.tasks") / "dashboard.html").read_text(encoding="utf-8"))


def render(data):
    charts = [chart(task) for task in data["tasks"]]
    return _template.render(
        data=data, charts=charts, colours=COLOURS, labels=LABELS)


def chart(task):
    """An SVG chart of one task: a bar per district, the target as a dashed line."""
    rows = task["districts"]
    width = LABEL_WIDTH + BAR_WIDTH + 56
    height = TOP * 2 + ROW * len(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" font-size="12">',
             f"<title>任务{task['task_no']}：{escape(task['title'])}（各区市完成进度）</title>"]
    for index, bar in enumerate(rows):
        parts.append(_bar(bar, TOP + index * ROW))
    target_x = LABEL_WIDTH + BAR_WIDTH * min(task["target"], 1.0)
    parts.append(f'<line x1="{target_x:.1f}" y1="{TOP - 4}" x2="{target_x:.1f}" '
                 f'y2="{height - TOP + 4}" stroke="#333" stroke-dasharray="4 3">'
                 f"<title>目标 {task['target'] * 100:.0f}%</title></line>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _bar(bar, y):
    value = bar["value"]
    filled = BAR_WIDTH * min(max(value or 0.0, 0.0), 1.0)
    label = "无数据" if value is None else f"{value * 100:.0f}%"
    colour = COLOURS[bar["status"]]
    status = LABELS[bar["status"]] + ("（完成后因新增工作重新打开）" if bar.get("reopened") else "")
    return (f'<g><text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(bar["name"])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{BAR_WIDTH}" height="{ROW - 8}" fill="#eee"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{filled:.1f}" height="{ROW - 8}" fill="{colour}">'
            f"<title>{escape(bar['name'])}：{label}，{status}</title></rect>"
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 15}">{label}</text></g>')
