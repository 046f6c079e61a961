"""The disclosure service: the public site (pages in site.py), its JSON API,
and the reactions to registry, inspection, complaints and tasks events."""
import uuid

from shared import directory
from shared import service as base
from shared import subscriptions
from shared.clock import rfc3339
from shared.errors import BadRequest, NotFound
from shared.web import api

from . import channels, mirror, policies, queries, schemas, site
from . import projections as views
from .domain import Case
from .events import CATALOGUE
from .subscriptions import SUBSCRIPTIONS

PUBLISHERS = ("publisher",)


class DisclosureService(subscriptions.mount(SUBSCRIPTIONS), site.PublicSite, base.OtgService):
    name = "disclosure"
    store = base.Store(CATALOGUE, [views.PublicViews],
                       tables=[views.mirror, directory.metadata, directory.names],  # its search
                       count_writes=True)

    # -- JSON API ---------------------------------------------------------------------------------
    @api("GET", "/api/cases", query=schemas.CaseQuery, summary="published violation cases")
    def api_cases(self, request, query):
        with self.store.read() as conn:
            return queries.case_list(conn, **query)

    @api("GET", "/api/cases/<case_id>", response=schemas.CaseOut, summary="one case with its history")
    def api_case(self, request, case_id):
        return self._case_view(case_id)

    @api("GET", "/api/lists/<list_name>", query=schemas.ListQuery,
         summary="the newest white/black list batch per district, or one district's batch")
    def api_list(self, request, list_name, query):
        with self.store.read() as conn:
            return queries.list_view(conn, site.check_list(list_name), query["district"],
                                     query["batch"])

    @api("GET", "/api/institutions", query=schemas.SearchQuery,
         summary="search by name or credit code: status and list, a page at a time "
                 "(`more`: another page follows)")
    def api_institutions(self, request, query):
        with self.store.read() as conn:
            return {"q": query["q"], **queries.search(conn, **query)}

    @api("GET", "/api/notices", query=schemas.DistrictQuery, summary="district notices")
    def api_notices(self, request, query):
        with self.store.read() as conn:
            return {"items": queries.notice_list(conn, query["district"])}

    @api("GET", "/api/channels", summary="each district's hotline, e-mail and report form")
    def api_channels(self, request):
        return channels.load()

    @api("POST", "/api/cases", roles=PUBLISHERS, body=schemas.CaseIn, response=schemas.CaseOut,
         summary="publish a case by hand (a publisher of the district)")
    def publish_case(self, request, body):
        self.actor.require_district(body["district"])
        case_id, now = str(uuid.uuid4()), self.clock.now()
        with self.store.unit() as uow:
            institution = self._institution_of(uow.conn, body)
            case = Case(case_id)
            facts, found_at = policies.by_hand_case(
                case_id, body, institution, body["department"] or self.actor.department, rfc3339(now))
            case.expose("violation", facts, found_at, now)
            uow.save(case)
        return 201, self._case_view(case_id)

    @api("POST", "/api/cases/<case_id>/withdraw", roles=PUBLISHERS, body=schemas.WithdrawalIn,
         response=schemas.CaseOut)
    def withdraw_case(self, request, case_id, body):
        return self._case_command(case_id, lambda case: case.withdraw(body["reason"]))

    @api("POST", "/api/cases/<case_id>/correct", roles=PUBLISHERS, body=schemas.CorrectionIn,
         response=schemas.CaseOut)
    def correct_case(self, request, case_id, body):
        changes = {k: v for k, v in body.items() if k != "reason"}
        return self._case_command(case_id, lambda case: case.correct(changes, body["reason"]))

    # -- helpers ------------------------------------------------------------------------------------
    @staticmethod
    def _institution_of(conn, body):
        if not body["institution_id"]:
            if not body["institution_name"]:
                raise BadRequest("name the institution", {"institution_name": [
                    "required without institution_id"]})
            return None
        institution = mirror.institution(conn, body["institution_id"])
        if institution is None or not institution["name"]:
            raise BadRequest("unknown institution", {"institution_id": [
                f"{body['institution_id']} is not in the registry"]})
        if institution["district"] != body["district"]:
            raise BadRequest("wrong district", {"district": [
                f"the institution is in district {institution['district']}"]})
        return institution

    def _case_command(self, case_id, command):
        with self.store.unit() as uow:
            case = uow.load(Case, case_id)
            self.actor.require_district(case.district)
            command(case)
            uow.save(case)
        return self._case_view(case_id)

    def _case_view(self, case_id):
        with self.store.read() as conn:
            view = queries.case_detail(conn, case_id)
        if view is None:
            raise NotFound(f"case {case_id} not found")
        return view
