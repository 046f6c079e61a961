"""Fire-patrol logs (no I/O): read patrol times from a log table and find every
stretch of opening hours longer than 2 hours without a patrol (plan, task 6:
营业期间每2小时开展不少于1次的防火等安全巡查)."""
from datetime import date, datetime, time, timedelta

from shared import tabular
from shared.clock import BEIJING
from shared.errors import BadRequest

MAX_GAP = timedelta(hours=2)
MAX_PERIOD_DAYS = 366  # one log checks at most a year: each day may become a finding
DATE_COLUMNS = ("date", "日期")
TIME_COLUMNS = ("time", "时间", "巡查时间")


def read_log(content, filename, form):
    """(patrol instants, open days checked) from a CSV/XLSX log and the form's
    period_from / period_to (default: the log's first and last day) and closed_on."""
    patrols = read_patrols(tabular.rows(content, filename))
    closed = _dates(form.get("closed_on") or "")
    first = form.get("period_from") or patrols[0].date()
    last = form.get("period_to") or patrols[-1].date()
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        field = next((f for f in ("period_to", "period_from") if form.get(f)), "file")
        raise BadRequest("the period is too long", {field: [
            f"a log checks at most {MAX_PERIOD_DAYS} days ({first} to {last} is longer)"]})
    return patrols, days_between(first, last, closed)


def _dates(text):
    try:
        return [date.fromisoformat(d.strip()) for d in text.split(",") if d.strip()]
    except ValueError:
        raise BadRequest("invalid dates", {"closed_on": ["comma-separated YYYY-MM-DD dates"]}) from None


def opening_hours(text):
    """`08:00-20:30` -> (time(8), time(20, 30)); closing must follow opening on the same day."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise BadRequest("invalid opening hours", {"opening_hours": ["use HH:MM-HH:MM"]}) from None
    if end <= start:
        raise BadRequest("invalid opening hours",
                         {"opening_hours": ["closing must come after opening on the same day"]})
    return start, end


def read_patrols(table_rows):
    """Patrol instants from (row number, values) rows whose first row is the header.

    Either a `date` and a `time` column, or a `time` column holding date and time."""
    if not table_rows:
        raise BadRequest("the log is empty", {"file": ["no header row"]})
    header = [h.strip().lower() for h in table_rows[0][1]]
    date_col = _column(header, DATE_COLUMNS, required=False)
    time_col = _column(header, TIME_COLUMNS, required=True)
    patrols, errors = [], {}
    for number, values in table_rows[1:]:
        if not any(v.strip() for v in values):
            continue
        try:
            patrols.append(_instant(values, date_col, time_col))
        except (ValueError, IndexError):
            errors[f"row {number}"] = ["expected a date (YYYY-MM-DD) and a time (HH:MM)"]
    if errors:
        raise BadRequest("the patrol log has unreadable rows", errors)
    if not patrols:
        raise BadRequest("the log lists no patrol", {"file": ["no rows after the header"]})
    return sorted(patrols)


def _column(header, names, required):
    for name in names:
        if name in header:
            return header.index(name)
    if required:
        raise BadRequest("the header lacks a column",
                         {"header": [f"needs one of: {', '.join(names)}"]})
    return None


def _instant(values, date_col, time_col):
    text = values[time_col].strip()
    if date_col is None:
        instant = datetime.fromisoformat(text.replace("/", "-"))
        # opening hours are Beijing wall-clock times: an offset given is converted, then dropped
        return instant.astimezone(BEIJING).replace(tzinfo=None) if instant.tzinfo else instant
    day = date.fromisoformat(values[date_col].strip().replace("/", "-")[:10])
    hours, minutes = text.split(":")[:2]
    return datetime.combine(day, time(int(hours), int(minutes)))


def days_between(first, last, closed=()):
    """The open days of the period checked; 400 when none is left."""
    closed = set(closed)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    days = [day for day in days if day not in closed]
    if not days:
        raise BadRequest("no open day in the period",
                         {"period_to": ["the period must hold at least one open day"]})
    return days


def gaps(patrols, days, opens, closes, max_gap=MAX_GAP):
    """Every (start, end) stretch of opening hours longer than `max_gap` with no patrol."""
    found = []
    for day in days:
        start, end = datetime.combine(day, opens), datetime.combine(day, closes)
        marks = [start] + [p for p in patrols if start < p < end] + [end]
        found.extend((a, b) for a, b in zip(marks, marks[1:]) if b - a > max_gap)
    return found
