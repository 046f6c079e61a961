"""Tasks tables.

`metadata`: read models of the service's own events (TasksViews), dropped and
rebuilt when VERSION changes. `primary`: data that is not in our own events and
must never be dropped — mirrors of other services' facts (filled by the event
handlers inside their unit of work, see mirror.py; the institutions are the
registry's, in shared.directory) and the survey ledger of hashed pupils (never
put in an event).
"""
import json
from datetime import date, datetime, timedelta

from sqlalchemy import (Boolean, Column, Float, Integer, MetaData, String, Table, Text, func,
                        insert, select)

from shared.clock import local_date
from shared.projections import Projection, handles
from shared.statements import upsert

metadata = MetaData()
campaigns = Table(
    "campaigns", metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("starts_on", String(10), nullable=False),
    Column("plan", Text, nullable=False),
    Column("started_at", String(40), nullable=False),
)
district_tasks = Table(
    "district_tasks", metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("district", String(6), primary_key=True),
    Column("task_no", Integer, primary_key=True),
    Column("completed_on", String(10)),
    Column("late", Boolean),
    Column("overdue_on", String(10)),
    Column("overdue_value", Float),
    Column("reopened_on", String(10)),
)
plan_filings = Table(
    "plan_filings", metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("district", String(6), primary_key=True),
    Column("first_filed_at", String(40), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("document_sha256", String(64), nullable=False),
)
schools = Table(
    "schools", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("district", String(6), nullable=False, index=True),
)
school_returns = Table(
    "school_returns", metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("school_id", String(64), primary_key=True),
    Column("district", String(6), nullable=False, index=True),
    Column("survey_revision", Integer, nullable=False, default=0),
    Column("enrolments", Integer, nullable=False, default=0),
    Column("pupils", Integer, nullable=False, default=0),
    Column("unlisted", Integer, nullable=False, default=0),
    Column("returned_at", String(40)),
    Column("meetings", Integer),           # parent + class meetings reported so far
    Column("meetings_at", String(40)),
)
unlisted_reports = Table(
    "unlisted_reports", metadata,
    Column("report_id", String(36), primary_key=True),
    Column("campaign_id", String(64), nullable=False),
    Column("school_id", String(64), nullable=False, index=True),
    Column("district", String(6), nullable=False),
    Column("institution_name", String(200), nullable=False),
    Column("credit_code", String(18)),
    Column("institution_id", String(36)),
    Column("pupil_count", Integer, nullable=False),
    Column("reason", String(30), nullable=False),
    Column("reported_at", String(40), nullable=False),
)
namings = Table(
    "namings", metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("district", String(6), primary_key=True),
    Column("naming_no", Integer, primary_key=True),  # a district is named again for a new lag
    Column("reasons", Text, nullable=False),
    Column("named_on", String(10), nullable=False),
    Column("task_nos", Text, nullable=False, default="[]"),
)

primary = MetaData()
mirror_lists = Table(
    "mirror_lists", primary,
    Column("district", String(6), primary_key=True),
    Column("list", String(5), primary_key=True),
    Column("batch_no", Integer, primary_key=True),
    Column("institution_ids", Text),        # null until the registry's batch arrived
    Column("published_at", String(40)),     # registry ListBatchPublished
    Column("disclosed_at", String(40)),     # disclosure ListPublished
    Column("filed_at", String(40)),         # registry ListFiled
)
mirror_inspections = Table(
    "mirror_inspections", primary,
    Column("inspection_id", String(64), primary_key=True),
    Column("institution_id", String(36), index=True),
    Column("district", String(6), nullable=False, index=True),
    Column("kind", String(12), nullable=False),
    Column("modes", Text, nullable=False),
    Column("focus", Text, nullable=False),
    Column("completed_at", String(40), nullable=False),
)
mirror_rectifications = Table(
    "mirror_rectifications", primary,
    Column("order_id", String(64), primary_key=True),
    Column("institution_id", String(36)),
    Column("district", String(6), index=True),
    Column("carry_over", Boolean, nullable=False, default=False),
    Column("verified", Boolean, nullable=False, default=False),
)
mirror_cases_found = Table(
    "mirror_cases_found", primary,
    Column("case_key", String(200), primary_key=True),
    Column("district", String(6), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("found_at", String(40), nullable=False),
)
mirror_cases_exposed = Table(
    "mirror_cases_exposed", primary,
    Column("case_id", String(64), primary_key=True),
    Column("district", String(6), index=True),
    Column("kind", String(30)),
    Column("exposed_at", String(40)),
    Column("withdrawn", Boolean, nullable=False, default=False),
)
survey_entries = Table(
    "survey_entries", primary,
    Column("campaign_id", String(64), primary_key=True),
    Column("school_id", String(64), primary_key=True),
    Column("row_no", Integer, primary_key=True),
    Column("pupil_hash", String(64), nullable=False),   # HMAC-SHA256, never the id
    Column("grade", String(20), nullable=False),
    Column("class", String(20), nullable=False),
    Column("institution_name", String(200), nullable=False),
    Column("credit_code", String(18), nullable=False),
    Column("course", String(100), nullable=False),
    Column("institution_id", String(36)),
    Column("listed", Boolean),
)


class TasksViews(Projection):
    NAME = "tasks"
    VERSION = 3  # 2: dates in Beijing time; overdue from the day after the deadline; 3: namings
    metadata = metadata

    @handles("CampaignStarted")
    def started(self, conn, event):
        conn.execute(insert(campaigns).values(
            campaign_id=event.campaign_id, title=event.title, starts_on=event.starts_on,
            plan=json.dumps(event.plan, ensure_ascii=False), started_at=event.meta.time))

    @handles("SchoolRegistered")
    def school(self, conn, event):
        conn.execute(insert(schools).values(school_id=event.school_id, name=event.name,
                                            district=event.district))

    @handles("ImplementationPlanFiled")
    def plan_filed(self, conn, event):
        key = {"campaign_id": event.campaign_id, "district": event.district}
        values = {"revision": event.revision, "document_sha256": event.document_sha256}
        upsert(conn, plan_filings, key, values, first_filed_at=event.meta.time)

    @handles("TaskReopened")
    def task_reopened(self, conn, event):
        key = {"campaign_id": event.campaign_id, "district": event.district,
               "task_no": event.task_no}
        upsert(conn, district_tasks, key, {"completed_on": None, "late": None,
                                           "reopened_on": str(event.reopened_on)})

    @handles("TaskCompleted", "TaskOverdue")
    def task(self, conn, event):
        key = {"campaign_id": event.campaign_id, "district": event.district,
               "task_no": event.task_no}
        if event.NAME == "TaskCompleted":
            completed_on = event.completed_on or local_date(datetime.fromisoformat(event.meta.time))
            values = {"completed_on": str(completed_on), "late": bool(event.data.get("late"))}
        else:  # overdue from the first day after the deadline, whenever the check noticed
            overdue_on = date.fromisoformat(str(event.deadline)) + timedelta(days=1)
            values = {"overdue_on": overdue_on.isoformat(), "overdue_value": event.data.get("value")}
        upsert(conn, district_tasks, key, values)

    @handles("SurveyReturned", "MeetingsReported")
    def returns(self, conn, event):
        key = {"campaign_id": event.campaign_id, "school_id": event.school_id}
        if event.NAME == "SurveyReturned":
            values = {"survey_revision": event.revision, "enrolments": event.enrolment_count,
                      "pupils": event.pupil_count, "unlisted": event.unlisted_count,
                      "returned_at": event.meta.time}
        else:
            values = {"meetings": event.parent_meetings + event.class_meetings,
                      "meetings_at": event.meta.time}
        upsert(conn, school_returns, key, values, district=event.district)

    @handles("UnlistedInstitutionReported")
    def unlisted(self, conn, event):
        data = event.data
        conn.execute(insert(unlisted_reports).values(
            report_id=data["report_id"], campaign_id=data["campaign_id"],
            school_id=data["school_id"], district=data["district"],
            institution_name=data["institution_name"], credit_code=data.get("credit_code"),
            institution_id=data.get("institution_id"), pupil_count=data["pupil_count"],
            reason=data.get("reason") or "not_registered", reported_at=event.meta.time))

    @handles("DistrictNamed")
    def named(self, conn, event):
        earlier = conn.execute(select(func.count()).select_from(namings).where(
            namings.c.campaign_id == event.campaign_id, namings.c.district == event.district)).scalar()
        conn.execute(insert(namings).values(
            naming_no=earlier + 1, task_nos=json.dumps(event.data.get("task_nos") or []),
            campaign_id=event.campaign_id, district=event.district,
            reasons=json.dumps(event.reasons, ensure_ascii=False), named_on=event.named_on))


# -- queries -------------------------------------------------------------------
def all_campaigns(conn):
    rows = conn.execute(select(campaigns).order_by(campaigns.c.started_at))
    return [json.loads(row.plan) for row in rows]


def campaign(conn, campaign_id=None):
    """A campaign's plan; without an id the most recently started one; None if none."""
    query = select(campaigns.c.plan)
    if campaign_id:
        query = query.where(campaigns.c.campaign_id == campaign_id)
    row = conn.execute(query.order_by(campaigns.c.started_at.desc()).limit(1)).first()
    return json.loads(row.plan) if row else None


def task_records(conn, campaign_id, district):
    rows = conn.execute(select(district_tasks).where(
        district_tasks.c.campaign_id == campaign_id, district_tasks.c.district == district))
    return {row.task_no: {"completed_on": row.completed_on, "late": row.late,
                          "overdue_since": row.overdue_on, "reopened_on": row.reopened_on}
            for row in rows}


def naming(conn, campaign_id, district):
    """The district's latest naming in the campaign (with how many there were), or None."""
    row = conn.execute(select(namings).where(namings.c.campaign_id == campaign_id,
                                             namings.c.district == district)
                       .order_by(namings.c.naming_no.desc())).first()
    return {"reasons": json.loads(row.reasons), "named_on": row.named_on,
            "task_nos": json.loads(row.task_nos), "times": row.naming_no} if row else None


def school(conn, school_id):
    row = conn.execute(select(schools).where(schools.c.school_id == school_id)).first()
    return dict(row._mapping) if row else None


def school_list(conn, district=None):
    query = select(schools).order_by(schools.c.district, schools.c.school_id)
    if district:
        query = query.where(schools.c.district == district)
    return [dict(row._mapping) for row in conn.execute(query)]


def school_return(conn, campaign_id, school_id):
    row = conn.execute(select(school_returns).where(
        school_returns.c.campaign_id == campaign_id,
        school_returns.c.school_id == school_id)).first()
    reports = conn.execute(select(unlisted_reports).where(
        unlisted_reports.c.campaign_id == campaign_id,
        unlisted_reports.c.school_id == school_id).order_by(unlisted_reports.c.reported_at))
    return {"campaign_id": campaign_id, "school_id": school_id,
            "returns": dict(row._mapping) if row else None,
            "unlisted_reports": [dict(r._mapping) for r in reports]}


def replace_ledger(conn, campaign_id, school_id, entries, verdicts):
    """A school's new upload replaces its ledger for the campaign (hashes only)."""
    c = survey_entries.c
    conn.execute(survey_entries.delete().where(c.campaign_id == campaign_id,
                                               c.school_id == school_id))
    rows = [{"campaign_id": campaign_id, "school_id": school_id, "row_no": e.row,
             "pupil_hash": e.pupil_hash, "grade": e.grade, "class": e.klass,
             "institution_name": e.institution_name, "credit_code": e.credit_code,
             "course": e.course, "institution_id": verdicts.get(e.row, (None, None))[0],
             "listed": verdicts.get(e.row, (None, None))[1]} for e in entries]
    if rows:
        conn.execute(insert(survey_entries), rows)
