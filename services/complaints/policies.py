"""How complaints react to other services' events (pure decisions on their data)."""
import uuid
from typing import NamedTuple

from shared import creditcode

# Stable ids: the same survey report always becomes the same complaint.
SURVEY_LEADS = uuid.UUID("5b0e7a52-6c3e-4a7e-9d51-0f6c1f7e2a11")


def survey_lead(data):
    """tasks `UnlistedInstitutionReported` ⇒ the intake of a school_survey complaint.

    A pupil attends an institution missing from the white list; the lead's category
    follows the survey's reason: an unregistered one is `unlicensed` (无证无照办学), a
    registered one off the list (suspended, black-listed, licences expired) is
    `not_white_listed`. It is then matched, routed and verified like any other lead
    (chain 4). Only the count of pupils travels, never who they are."""
    code = data.get("credit_code") or None
    if code and creditcode.problem(code):
        code = None  # a school's typo must not block the lead
    count = data.get("pupil_count")
    registered = data.get("reason") == "not_white_listed"
    where = "已登记但目前未列入白名单的" if registered else "未列入白名单的"
    return {
        "complaint_id": str(uuid.uuid5(SURVEY_LEADS, str(data["report_id"]))),
        "report_id": str(data["report_id"]),
        "district": data["district"],
        "category": "not_white_listed" if registered else "unlicensed",
        "institution_name": data.get("institution_name") or "",
        "credit_code": code,
        "address": data.get("address") or "",
        "description": (f"学校排查台账线索：{count if count is not None else '若干'}名学生在{where}"
                        f"机构“{data.get('institution_name') or '未具名'}”参加培训"
                        f"（学校 {data.get('school_id') or '未注明'}，活动 {data.get('campaign_id') or '—'}）。"),
    }


class Verification(NamedTuple):
    """What an inspection found about the complaint it checked."""
    complaint_id: str
    substantiated: bool
    inspection_id: str


def verification_outcome(data):
    """inspection `InspectionCompleted` ⇒ a Verification, or None when the inspection
    did not check a complaint."""
    source = data.get("source")
    if not source or data.get("source_type") not in (None, "complaint") or data.get("kind") == "self":
        return None
    return Verification(str(source), data.get("outcome") == "violation_found",
                        data.get("inspection_id"))
