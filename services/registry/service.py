"""The registry service: institutions, licences, status, white/black lists."""
from nameko.timer import timer

from shared import config
from shared.errors import Conflict, NotFound
from shared import service as base
from shared import subscriptions
from shared.web import api

from . import mirror
from . import projections as views
from . import schemas
from .subscriptions import SUBSCRIPTIONS
from .domain import Institution, ListBatches
from .events import CATALOGUE

WRITERS = ("registrar", "coordinator")
READERS = ("registrar", "inspector", "handler", "coordinator", "publisher")  # schools read the public site
LISTS = ("white", "black")


class RegistryService(subscriptions.mount(SUBSCRIPTIONS), base.OtgService):
    name = "registry"
    store = base.Store(CATALOGUE, [views.RegistryViews], tables=[mirror.metadata])

    # -- institutions -------------------------------------------------------
    @api("POST", "/institutions", roles=WRITERS, body=schemas.InstitutionIn,
         response=schemas.InstitutionOut)
    def register_institution(self, request, body):
        self.actor.require_district(body["district"])
        with self.store.unit() as uow:
            existing = views.by_credit_code(uow.conn, body["credit_code"])
            if existing:
                raise Conflict(f"credit code {body['credit_code']} is registered as {existing}")
            institution = Institution.register(**body)
            uow.save(institution)
        return 201, self._view(institution.id)

    @api("POST", "/institutions/import", roles=WRITERS, body=schemas.ImportIn,
         summary="register many institutions at once: all or nothing")
    def import_institutions(self, request, body):
        rows = body["institutions"]
        for row in rows:
            self.actor.require_district(row["district"])
        with self.store.unit() as uow:
            _refuse_duplicates(uow.conn, rows)
            institutions = [Institution.register(**row) for row in rows]
            uow.save(*institutions)
        return 201, {"imported": len(institutions), "ids": [i.id for i in institutions]}

    @api("GET", "/institutions/<institution_id>", roles=READERS, response=schemas.InstitutionOut)
    def get_institution(self, request, institution_id):
        view = self._view(institution_id)
        self.actor.require_district(view["district"])
        return view

    @api("GET", "/institutions", roles=READERS, query=schemas.InstitutionQuery)
    def list_institutions(self, request, query):
        query["district"] = self.actor.district_filter(query["district"])
        with self.store.read() as conn:
            return views.search(conn, self.clock.today(), **query)

    @api("POST", "/institutions/<institution_id>/licences", roles=WRITERS, body=schemas.LicenceIn)
    def record_licence(self, request, institution_id, body):
        return self._command(institution_id, lambda i: i.record_licence(**body))

    @api("POST", "/institutions/<institution_id>/suspend", roles=WRITERS + ("inspector",),
         body=schemas.ReasonIn)
    def suspend(self, request, institution_id, body):
        return self._command(institution_id, lambda i: i.suspend(body["reason"]))

    @api("POST", "/institutions/<institution_id>/reinstate", roles=WRITERS, body=schemas.ReinstateIn)
    def reinstate(self, request, institution_id, body):
        return self._command(institution_id, lambda i: i.reinstate())

    @api("POST", "/institutions/<institution_id>/close", roles=WRITERS, body=schemas.ReasonIn)
    def close(self, request, institution_id, body):
        return self._command(institution_id, lambda i: i.close(body["reason"]))

    @api("POST", "/institutions/<institution_id>/review", roles=WRITERS, body=schemas.ReasonIn)
    def open_review(self, request, institution_id, body):
        return self._command(institution_id, lambda i: i.open_review(body["reason"]))

    @api("POST", "/institutions/<institution_id>/review/decision", roles=WRITERS,
         body=schemas.DecisionIn)
    def decide_review(self, request, institution_id, body):
        department = self.actor.department
        return self._command(institution_id, lambda i: i.decide_review(
            body["decision"], body["reason"], department))

    # -- lists ----------------------------------------------------------------
    @api("GET", "/lists/<list_name>", roles=READERS, query=schemas.DistrictQuery)
    def current_list(self, request, list_name, query):
        district = query["district"]
        self.actor.require_district(district)
        with self.store.read() as conn:
            members = views.list_members(conn, district, _list(list_name), self.clock.today())
            published = views.batches(conn, district, list_name)
        return {"district": district, "list": list_name, "as_of": self.clock.today().isoformat(),
                "institutions": members, "latest_batch": published[-1] if published else None}

    @api("POST", "/lists/<list_name>/batches", roles=WRITERS, body=schemas.DistrictIn,
         response=schemas.BatchOut)
    def publish_batch(self, request, list_name, body):
        district = body["district"]
        self.actor.require_district(district)
        today = self.clock.today()
        with self.store.unit() as uow:
            members = views.list_members(uow.conn, district, _list(list_name), today)
            stream = ListBatches.stream_id(district, list_name)
            batches = uow.get(ListBatches, stream) or ListBatches(stream)
            batch_no = batches.publish(district, list_name, [m["id"] for m in members], today)
            uow.save(batches)
        return 201, self._batch(district, list_name, batch_no)

    @api("GET", "/lists/<list_name>/batches", roles=READERS, query=schemas.DistrictQuery)
    def list_batches(self, request, list_name, query):
        self.actor.require_district(query["district"])
        with self.store.read() as conn:
            return views.batches(conn, query["district"], _list(list_name))

    @api("POST", "/lists/<list_name>/batches/<int:batch_no>/file", roles=WRITERS,
         body=schemas.DistrictIn, response=schemas.BatchOut)
    def file_batch(self, request, list_name, batch_no, body):
        district = body["district"]
        self.actor.require_district(district)
        with self.store.unit() as uow:
            batches = uow.load(ListBatches, ListBatches.stream_id(district, _list(list_name)))
            batches.file(batch_no)
            uow.save(batches)
        return self._batch(district, list_name, batch_no)

    @timer(interval=config.check_interval())
    def flag_expired_licences(self):
        today = self.clock.today()
        with self.store.read() as conn:
            ids = views.with_unflagged_expiry(conn, today)
        for institution_id in ids:
            self._command(institution_id, lambda i: i.flag_expired_licences(today), check=False)

    # -- helpers ----------------------------------------------------------------
    def _command(self, institution_id, command, check=True):
        with self.store.unit() as uow:
            institution = uow.load(Institution, institution_id)
            if check:
                self.actor.require_district(institution.district)
            command(institution)
            uow.save(institution)
        return self._view(institution_id)

    def _view(self, institution_id):
        with self.store.read() as conn:
            view = views.find(conn, institution_id, self.clock.today())
        if view is None:
            raise NotFound(f"institution {institution_id} not found")
        return view

    def _batch(self, district, list_name, batch_no):
        with self.store.read() as conn:
            return next(b for b in views.batches(conn, district, list_name)
                        if b["batch_no"] == batch_no)


def _refuse_duplicates(conn, rows):
    errors, seen = {}, {}
    for index, row in enumerate(rows):
        code = row["credit_code"]
        if code in seen:
            errors[str(index)] = {"credit_code": [f"same credit code as row {seen[code]}"]}
        elif views.by_credit_code(conn, code):
            errors[str(index)] = {"credit_code": ["already registered"]}
        seen.setdefault(code, index)
    if errors:
        raise Conflict("some institutions are registered already; nothing was imported",
                       {"institutions": errors})


def _list(list_name):
    if list_name not in LISTS:
        raise NotFound(f"no list {list_name!r}: use white or black")
    return list_name
