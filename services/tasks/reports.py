"""What the municipal office reads: progress per district and task, the
scoreboard of districts, the dashboard's data. Pure: facts, records and the
date come in, plain dicts go out."""
from shared.vocabulary import DISTRICTS, DISTRICTS_EN

STATUS_ORDER = {"overdue": 0, "on_track": 1, "done": 2}


def progress(plan, district, measured, records, today):
    """One entry per task (`task_no`, deadline, value, target, status, …)."""
    entries = []
    for task in plan.tasks:
        number = task["task_no"]
        result, record = measured[number], records.get(number, {})
        deadline = plan.deadline(task)
        entries.append({
            "task_no": number, "title": task["title"], "title_en": task.get("title_en"),
            "lead": task.get("lead", []), "responsible": task.get("responsible", []),
            "deadline": deadline.isoformat(), "days_left": (deadline - today).days,
            "measure": task["measure"]["kind"],
            "value": None if result.value is None else round(result.value, 4),
            "target": task.get("target", 1.0),
            "status": plan.status(task, result, record, today),
            "details": result.details,
            "completed_on": record.get("completed_on"), "late": bool(record.get("late")),
            "overdue_since": record.get("overdue_since"),
            "reopened_on": record.get("reopened_on"),
        })
    return {"campaign_id": plan.id, "title": plan.title, "district": district,
            "district_name": DISTRICTS[district], "as_of": today.isoformat(), "tasks": entries}


def score(entries):
    """Mean progress toward the targets (0..1); an unmeasurable task counts 0."""
    parts = [1.0 if e["status"] == "done" else min((e["value"] or 0) / e["target"], 1.0)
             for e in entries]
    return round(sum(parts) / len(parts), 4) if parts else 0.0


def scoreboard(plan, progresses, namings, today):
    """Districts ranked: fewest overdue tasks first, then by score."""
    rows = []
    for item in progresses:
        statuses = [e["status"] for e in item["tasks"]]
        district = item["district"]
        rows.append({
            "district": district, "name": DISTRICTS[district], "name_en": DISTRICTS_EN[district],
            "done": statuses.count("done"), "on_track": statuses.count("on_track"),
            "overdue": statuses.count("overdue"), "score": score(item["tasks"]),
            "overdue_tasks": [e["task_no"] for e in item["tasks"] if e["status"] == "overdue"],
            "named": namings.get(district)})
    rows.sort(key=lambda r: (r["overdue"], -r["score"], r["district"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return {"campaign_id": plan.id, "title": plan.title, "as_of": today.isoformat(),
            "districts": rows}


def dashboard(plan, progresses, board):
    """Per task, every district's value and status: one chart each."""
    tasks = []
    for index, task in enumerate(plan.tasks):
        bars = [{"district": p["district"], "name": p["district_name"],
                 "value": p["tasks"][index]["value"], "status": p["tasks"][index]["status"],
                 "reopened": bool(p["tasks"][index]["reopened_on"]
                                  and p["tasks"][index]["status"] != "done")}
                for p in progresses]
        first = progresses[0]["tasks"][index] if progresses else {}
        tasks.append({"task_no": task["task_no"], "title": task["title"],
                      "deadline": task["deadline"], "days_left": first.get("days_left"),
                      "target": task.get("target", 1.0), "measure": task["measure"]["kind"],
                      "districts": bars})
    return {"campaign_id": plan.id, "title": plan.title, "as_of": board["as_of"],
            "tasks": tasks, "scoreboard": board["districts"]}


def default_reasons(entry_list):
    """Reasons for naming a district when the coordinator gives none: its overdue tasks."""
    return [f"任务{e['task_no']}「{e['title']}」逾期未完成（截止{e['deadline']}）"
            for e in entry_list if e["status"] == "overdue"]
