"""The tasks service: campaign plans, the tasks of each district measured from
what the other services' events say happened, deadlines, the school survey ledger."""

from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from shared import config, directory
from shared import service as base
from shared import subscriptions
from shared.errors import BadRequest, Conflict, NotFound
from shared.web import api

from . import dashboard, mirror, plans, reactions, reports, schemas, surveys, uploads
from . import projections as views
from .domain import Campaign, DistrictCampaign, Plan, School, SchoolCampaign
from .events import CATALOGUE
from .subscriptions import SUBSCRIPTIONS

COORDINATORS = ("coordinator",)
DISTRICT_OFFICIALS = ("registrar", "coordinator")
SCHOOLS = ("school",)


class Memory(DependencyProvider):
    """What this process already settled (saves work only: the aggregates decide)."""

    def setup(self):
        self.memory = {}

    def get_dependency(self, worker_ctx):
        return self.memory


class TasksService(subscriptions.mount(SUBSCRIPTIONS), reactions.Calendar, base.OtgService):
    name = "tasks"
    store = base.Store(CATALOGUE, [views.TasksViews], tables=[views.primary, directory.metadata])
    memory = Memory()

    # -- campaigns ---------------------------------------------------------------------
    @api("POST", "/campaigns", roles=COORDINATORS, summary="load a campaign plan (YAML body or file)")
    def start_campaign(self, request):
        content, _ = uploads.upload(request, raw_ok=True)
        plan_data = plans.parse(content)
        with self.store.unit() as uow:
            if uow.get(Campaign, Campaign.stream_id(plan_data["campaign_id"])):
                raise Conflict(f"campaign {plan_data['campaign_id']} has started already")
            uow.save(Campaign.start(plan_data))
            plan = Plan(plan_data)
            for district in plan.districts:
                self._settle(uow, plan, district)
        return 201, plan_data

    @api("GET", "/campaigns", summary="the campaigns (plans) loaded")
    def list_campaigns(self, request):
        with self.store.read() as conn:
            return views.all_campaigns(conn)

    @api("GET", "/campaigns/<campaign_id>", summary="one campaign's plan")
    def get_campaign(self, request, campaign_id):
        with self.store.read() as conn:
            return self._plan(conn, campaign_id).data

    @api("POST", "/campaigns/<campaign_id>/implementation-plans", roles=DISTRICT_OFFICIALS,
         body=schemas.PlanFilingForm, summary="a district files its implementation plan (task 1)")
    def file_implementation_plan(self, request, campaign_id, body):
        district = body["district"]
        self.actor.require_district(district)
        sha256, media_type, size = uploads.keep(*uploads.upload(request))
        with self.store.unit() as uow:
            plan = self._plan(uow.conn, campaign_id, district)
            part = self._district_part(uow, plan.id, district)
            part.file_plan(plan.id, district, sha256, media_type, size)
            uow.save(part)
            self._settle(uow, plan, district, part)
        return 201, {"campaign_id": plan.id, "district": district, "document_sha256": sha256,
                     "revision": part.plan_revisions}

    @api("POST", "/campaigns/<campaign_id>/districts/<district>/naming", roles=COORDINATORS,
         body=schemas.NamingIn, summary="publicly name a lagging district")
    def name_district(self, request, campaign_id, district, body):
        with self.store.unit() as uow:
            plan = self._plan(uow.conn, campaign_id, district)
            progress = self._progress(uow.conn, plan, district)["tasks"]
            reasons = body["reasons"] or reports.default_reasons(progress)
            if not reasons:
                raise BadRequest("give the reasons: the district has no overdue task",
                                 {"reasons": ["required when no task is overdue"]})
            part = self._district_part(uow, plan.id, district)
            part.name(plan.id, district, reasons, plan.today(self.clock.now()),
                      [t["task_no"] for t in progress if t["status"] == "overdue"])
            uow.save(part)
        return 201, {"campaign_id": plan.id, "district": district, "reasons": reasons}

    # -- progress ------------------------------------------------------------------------
    @api("GET", "/progress", query=schemas.ProgressQuery, response=schemas.ProgressOut,
         summary="one district's progress, one entry per task")
    def progress(self, request, query):
        with self.store.read() as conn:
            plan = self._plan(conn, query["campaign"], query["district"])
            return self._progress(conn, plan, query["district"])

    @api("GET", "/scoreboard", query=schemas.CampaignQuery, summary="districts ranked")
    def scoreboard(self, request, query):
        with self.store.read() as conn:
            return self._board(conn, self._plan(conn, query["campaign"]))[1]

    @api("GET", "/dashboard.json", query=schemas.CampaignQuery, summary="the dashboard's data")
    def dashboard_json(self, request, query):
        with self.store.read() as conn:
            plan = self._plan(conn, query["campaign"])
            progresses, board = self._board(conn, plan)
        return reports.dashboard(plan, progresses, board)

    @api("GET", "/dashboard", query=schemas.CampaignQuery, summary="the dashboard (HTML)")
    def dashboard_page(self, request, query):
        data = self.dashboard_json(request, query=query)
        return Response(dashboard.render(data), content_type="text/html; charset=utf-8")

    # -- schools -------------------------------------------------------------------------
    @api("POST", "/schools", roles=DISTRICT_OFFICIALS, body=schemas.SchoolIn,
         summary="add a school to its district's list")
    def register_school(self, request, body):
        self.actor.require_district(body["district"])
        with self.store.unit() as uow:
            self._add_school(uow, body)
        return 201, body

    @api("POST", "/schools/import", roles=DISTRICT_OFFICIALS,
         summary="add schools from a CSV/XLSX file (school_id,name,district)")
    def import_schools(self, request):
        rows = uploads.school_rows(*uploads.upload(request))
        with self.store.unit() as uow:
            added = [row for row in rows if self._add_school(uow, row, existing_ok=True)]
        return 201, {"added": len(added), "unchanged": len(rows) - len(added)}

    @api("GET", "/schools", query=schemas.SchoolQuery, summary="schools per district")
    def list_schools(self, request, query):
        with self.store.read() as conn:
            return views.school_list(conn, query["district"])

    # -- school returns ------------------------------------------------------------------
    @api("POST", "/surveys", roles=SCHOOLS, body=schemas.SurveyForm,
         summary="a school uploads its pupils' holiday-enrolment ledger (CSV or XLSX)")
    def return_survey(self, request, body):
        content, filename = uploads.upload(request)
        entries = surveys.parse(content, filename, config.secret("pupil_key"))
        with self.store.unit() as uow:
            plan, school, returns = self._school_part(uow, body)
            counts, unlisted, verdicts = surveys.check(entries, mirror.white_lookup(uow.conn))
            returns.return_survey(plan.id, school, counts, unlisted)
            uow.save(returns)
            views.replace_ledger(uow.conn, plan.id, school.school_id, entries, verdicts)
            self._settle(uow, plan, school.district)
        return 201, self._returns_view(plan.id, school.school_id)

    @api("POST", "/meetings", roles=SCHOOLS, body=schemas.MeetingsIn,
         summary="a school reports the parent and class meetings held so far (task 5)")
    def report_meetings(self, request, body):
        with self.store.unit() as uow:
            plan, school, returns = self._school_part(uow, body)
            returns.report_meetings(plan.id, school, body["parent_meetings"], body["class_meetings"])
            uow.save(returns)
            self._settle(uow, plan, school.district)
        return 201, self._returns_view(plan.id, school.school_id)

    @api("GET", "/surveys/<school_id>", roles=SCHOOLS + DISTRICT_OFFICIALS,
         query=schemas.CampaignQuery, summary="a school's returns (counts, never pupils)")
    def get_returns(self, request, school_id, query):
        with self.store.read() as conn:
            school = views.school(conn, school_id)
            if school is None:
                raise NotFound(f"school {school_id} not found")
            self.actor.require_district(school["district"])
            plan = self._plan(conn, query["campaign"])
        return self._returns_view(plan.id, school_id)

    # -- helpers -------------------------------------------------------------------------
    def _plan(self, conn, campaign_id=None, district=None):
        data = views.campaign(conn, campaign_id)
        if data is None:
            raise NotFound(f"campaign {campaign_id} not found" if campaign_id else
                           "no campaign has started: load a plan with POST /campaigns")
        plan = Plan(data)
        if district is not None and district not in plan.districts:
            raise NotFound(f"district {district} is not part of campaign {plan.id}")
        return plan

    def _progress(self, conn, plan, district):
        facts = mirror.facts(conn, plan.id, district, plan.since())
        return reports.progress(plan, district, plan.measure_all(facts),
                                views.task_records(conn, plan.id, district),
                                plan.today(self.clock.now()))

    def _board(self, conn, plan):
        progresses = [self._progress(conn, plan, d) for d in plan.districts]
        namings = {d: views.naming(conn, plan.id, d) for d in plan.districts}
        return progresses, reports.scoreboard(plan, progresses, namings,
                                              plan.today(self.clock.now()))

    def _district_part(self, uow, campaign_id, district):
        stream = DistrictCampaign.stream_id(campaign_id, district)
        return uow.get(DistrictCampaign, stream) or DistrictCampaign(stream)

    def _add_school(self, uow, row, existing_ok=False):
        self.actor.require_district(row["district"])
        if uow.get(School, School.stream_id(row["school_id"])):
            if existing_ok:
                return False
            raise Conflict(f"school {row['school_id']} is registered already")
        uow.save(School.register(row["school_id"], row["name"], row["district"]))
        return True

    def _school_part(self, uow, body):
        school = uow.get(School, School.stream_id(body["school_id"]))
        if school is None:  # a field error naming the id as given, not its stream's
            raise BadRequest("unknown school", {"school_id": [
                f"no school {body['school_id']}: list them at GET /schools, import them "
                "with `otg tasks import-schools`"]})
        self.actor.require_district(school.district)
        plan = self._plan(uow.conn, body["campaign_id"], school.district)
        stream = SchoolCampaign.stream_id(plan.id, school.school_id)
        return plan, school, uow.get(SchoolCampaign, stream) or SchoolCampaign(stream)

    def _returns_view(self, campaign_id, school_id):
        with self.store.read() as conn:
            return views.school_return(conn, campaign_id, school_id)
