"""The school survey ledger (task 4): reading a school's upload, hashing its
pupils, and checking each enrolment against the white list. Pure: the white
list arrives as a lookup function.

A pupil's id becomes an HMAC-SHA256 keyed hash at once; the pupil's name is
read past and dropped. Neither is ever stored, logged or put in an event.
"""
import hashlib
import hmac
from dataclasses import dataclass

from shared import creditcode, tabular
from shared.errors import BadRequest
from shared.redact import mask

from .domain import institution_key, name_key

HEADER = ["pupil_id", "pupil_name", "grade", "class", "institution_name", "credit_code", "course"]
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_REPORTED_ROWS = 50
LIMITS = {"pupil_id": 64, "grade": 20, "class": 20, "institution_name": 200, "course": 100}


@dataclass(frozen=True)
class Entry:
    row: int
    pupil_hash: str
    grade: str
    klass: str
    institution_name: str
    credit_code: str
    course: str

    @property
    def enrolled(self):
        return bool(self.institution_name or self.credit_code)


def pupil_hash(key, pupil_id):
    return hmac.new(key.encode(), pupil_id.strip().upper().encode(), hashlib.sha256).hexdigest()


def parse(content, filename, key):
    """The ledger's entries; a malformed file is refused naming each bad row and field."""
    if len(content) > MAX_BYTES:
        raise BadRequest("the ledger is too large", {"file": [f"at most {MAX_BYTES} bytes"]})
    table = tabular.rows(content, filename)
    if not table:
        raise BadRequest("the ledger is empty", {"file": ["no header row"]})
    _check_header(table[0][1])
    body = [(n, values) for n, values in table[1:] if any(v.strip() for v in values)]
    if len(body) > MAX_ROWS:
        raise BadRequest("the ledger has too many rows", {"file": [f"at most {MAX_ROWS} rows"]})
    entries, errors = _entries(body, key)
    if errors:
        raise _refusal(errors)
    return entries


def _entries(body, key):
    """Entries of the valid rows, and the problems of the others by row."""
    entries, errors, seen = [], {}, {}
    for number, values in body:
        row, problems = _row(values)
        identity = (row.get("pupil_id", "").upper(), institution_key(row.get("credit_code"),
                    row.get("institution_name")), row.get("course", ""))
        if not problems and identity in seen:
            problems = {"pupil_id": [f"the same enrolment as row {seen[identity]}"]}
        if problems:
            errors[f"row {number}"] = problems
            continue
        seen[identity] = number
        entries.append(Entry(number, pupil_hash(key, row["pupil_id"]), row["grade"], row["class"],
                             row["institution_name"], row["credit_code"], row["course"]))
    return entries, errors


def _check_header(header):
    header = [h.strip().lstrip("\ufeff") for h in header]
    while header and not header[-1]:
        header.pop()
    if header != HEADER:
        missing = [c for c in HEADER if c not in header]
        extra = [c for c in header if c not in HEADER]
        problems = ([f"missing column {c}" for c in missing] +
                    [f"unexpected column {c or '(empty)'}" for c in extra] or
                    ["columns out of order"])
        raise BadRequest(f"row 1 (header): {problems[0]}; the header must be exactly "
                         f"{','.join(HEADER)}", {"row 1": {"header": problems}})


def _row(values):
    values = [v.strip() for v in values]
    if any(values[len(HEADER):]):
        return {}, {"row": [f"has more than the {len(HEADER)} columns of the header"]}
    row = dict(zip(HEADER, values + [""] * (len(HEADER) - len(values))))
    row.pop("pupil_name")  # never kept, not even in memory beyond this row
    # the names reach UnlistedInstitutionReported: a teacher's mobile typed in one must not
    row["institution_name"], row["course"] = mask(row["institution_name"]), mask(row["course"])
    problems = {}
    if not row["pupil_id"]:
        problems["pupil_id"] = ["is required"]
    if not row["grade"]:
        problems["grade"] = ["is required"]
    for column, limit in LIMITS.items():
        if len(row[column]) > limit:
            problems[column] = [f"longer than {limit} characters"]
    row["credit_code"] = row["credit_code"].upper()
    if row["credit_code"] and creditcode.problem(row["credit_code"]):
        problems["credit_code"] = [creditcode.problem(row["credit_code"])]
    if row["course"] and not (row["institution_name"] or row["credit_code"]):
        problems["institution_name"] = ["an enrolment needs institution_name or credit_code"]
    return row, problems


def _refusal(errors):
    rows = list(errors)[:MAX_REPORTED_ROWS]
    first = rows[0]
    field, messages = next(iter(errors[first].items()))
    more = f" (and {len(errors) - 1} more rows)" if len(errors) > 1 else ""
    return BadRequest(f"{first}, {field}: {messages[0]}{more}; nothing was stored",
                      {row: errors[row] for row in rows})


def check(entries, lookup):
    """Classify enrolments against the white list.

    `lookup(credit_code, name)` returns the registered institution as a dict
    (id, name, credit_code, district, white) or None. Returns (counts, unlisted
    groups, {row: (institution_id, listed)}).
    """
    codes_by_name = {name_key(e.institution_name): e.credit_code for e in entries
                     if e.credit_code and e.institution_name}
    groups, verdicts = {}, {}
    for entry in entries:
        if not entry.enrolled:
            continue
        code = entry.credit_code or codes_by_name.get(name_key(entry.institution_name), "")
        match = lookup(code, entry.institution_name)
        verdicts[entry.row] = (match["id"] if match else None, bool(match and match["white"]))
        if not verdicts[entry.row][1]:
            _add(groups, entry, code, match)
    enrolments = [e for e in entries if e.enrolled]
    counts = {"enrolment_count": len(enrolments),
              "pupil_count": len({e.pupil_hash for e in entries}),
              "unlisted_count": sum(1 for row, (_, listed) in verdicts.items() if not listed)}
    unlisted = [dict(g, pupil_count=len(g.pop("pupils"))) for g in groups.values()]
    return counts, sorted(unlisted, key=lambda g: g["key"]), verdicts


def _add(groups, entry, code, match):
    code = code or (match or {}).get("credit_code") or ""
    key = institution_key(code, entry.institution_name or (match or {}).get("name"))
    group = groups.setdefault(key, {
        "key": key, "pupils": set(), "credit_code": code or None, "address": None,
        "institution_name": (entry.institution_name or (match or {}).get("name")
                             or f"统一社会信用代码 {code}"),
        "institution_id": match["id"] if match else None,
        "district": match["district"] if match else None,
        "reason": "not_white_listed" if match else "not_registered"})
    group["pupils"].add(entry.pupil_hash)
