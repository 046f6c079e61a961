"""The complaints service: reports from every channel, triage, verification, answers.

HTTP routes live in three mixins (public desk, casework, Open311); this module holds
the intake every channel shares, the reactions to other services and the deadline check."""
import logging
import uuid
from types import SimpleNamespace

from nameko.extensions import DependencyProvider
from nameko.timer import timer

from shared import config, directory
from shared import service as base
from shared import subscriptions
from shared.errors import BadRequest, ConcurrencyError, NotFound

from . import http_cases, http_open311, http_public, queries, rules, vault
from . import evidence
from . import projections as views
from .domain import UNLISTED, Complaint, Match, instant
from .events import CATALOGUE
from .subscriptions import SUBSCRIPTIONS

log = logging.getLogger(__name__)


class CaseVault(DependencyProvider):
    """Contact encryption (key derived from the `contact_key` secret, and during a
    rotation the previous ones) and photo storage."""

    def setup(self):
        keeper = vault.Keeper(config.secret("contact_key"), config.previous_secrets("contact_key"))
        self.vault = SimpleNamespace(keeper=keeper,
                                     photos=config.data_dir() / "complaints" / "photos")

    def get_dependency(self, worker_ctx):
        return self.vault


class ComplaintRules(DependencyProvider):
    def setup(self):
        self.rules = rules.load()  # a broken rules file stops the service at start

    def get_dependency(self, worker_ctx):
        return self.rules


class ComplaintsService(subscriptions.mount(SUBSCRIPTIONS), base.OtgService,
                        http_public.PublicDesk, http_cases.Casework, http_open311.Open311):
    name = "complaints"
    store = base.Store(CATALOGUE, [views.ComplaintViews], tables=[vault.metadata, directory.metadata])
    vault = CaseVault()
    rules = ComplaintRules()

    # -- deadlines ---------------------------------------------------------------------
    @timer(interval=config.check_interval())
    def flag_overdue(self):
        now = self.clock.now()
        with self.store.read() as conn:
            ids = queries.with_passed_deadline(conn, instant(now))
        for complaint_id in ids:
            try:
                with self.store.unit() as uow:
                    complaint = uow.load(Complaint, complaint_id)
                    complaint.check_overdue(now)
                    uow.save(complaint)
            except ConcurrencyError:
                log.info("complaint %s changed during the deadline check; next round", complaint_id)

    # -- intake, shared by every channel -----------------------------------------------------
    def intake(self, fields, channel, uploads=(), contact=None, details=None,
               external_ref=None, complaint_id=None, report_id=None):
        """Record a report: case file, photos, ComplaintReceived, then triage or merge.
        A report already taken in (same e-mail, same survey lead) is returned as it was."""
        for upload in uploads:
            evidence.store(self.vault.photos, upload)
        with self.store.unit() as uow:
            earlier = self._earlier(uow, complaint_id, external_ref)
            if earlier:
                return earlier
            complaint, match, refs = self._receive(uow.conn, fields, channel, uploads, contact,
                                                   complaint_id, report_id)
            code = vault.new_code()
            vault.file_case(uow.conn, self.vault.keeper, complaint.id, code, fields["description"],
                            contact, details, external_ref)
            vault.add_photos(uow.conn, complaint.id, refs)
            self._triage_or_merge(uow, complaint, match)
            uow.save(complaint)
        log.info("complaint %s received via %s in %s", complaint.id, complaint.channel,
                 complaint.district)
        return {"complaint_id": complaint.id, "tracking_code": vault.display_code(code),
                "status": complaint.status, "created": True}

    def _receive(self, conn, fields, channel, uploads, contact, complaint_id, report_id):
        """ComplaintReceived for the report, with the institution triage will route by."""
        supervisor_id = self._supervisor(conn, fields.get("supervisor_code"))
        match, found = self._match(conn, fields)
        refs = [upload.ref() for upload in uploads]
        complaint = Complaint.receive(
            complaint_id or str(uuid.uuid4()), "supervisor" if supervisor_id else channel,
            fields["district"], fields["category"], self.clock.now(),
            institution_name=fields.get("institution_name") or (found or {}).get("name", ""),
            address=fields.get("address") or (found or {}).get("address", ""),
            institution_id=fields.get("institution_id"), credit_code=fields.get("credit_code"),
            evidence=refs, has_contact=any((contact or {}).values()), supervisor_id=supervisor_id,
            report_id=report_id)
        return complaint, match, refs

    def _earlier(self, uow, complaint_id, external_ref):
        """The complaint this same intake made before (a redelivered lead, a re-imported e-mail)."""
        earlier = vault.by_external_ref(uow.conn, external_ref) if external_ref else None
        if earlier is None and complaint_id and uow.get(Complaint, complaint_id) is not None:
            earlier = {"complaint_id": complaint_id,
                       "tracking_code": vault.tracking_code_of(uow.conn, complaint_id)}
        if earlier is None:
            return None
        return {"complaint_id": earlier["complaint_id"], "created": False,
                "tracking_code": vault.display_code(earlier["tracking_code"]),
                "status": queries.find(uow.conn, earlier["complaint_id"])["status"]}

    def _supervisor(self, conn, code):
        if not code:
            return None
        supervisor_id = vault.supervisor_by_code(conn, self.vault.keeper, code)
        known = supervisor_id and queries.supervisor(conn, supervisor_id)
        if not known or not known["active"]:
            raise BadRequest("unknown supervisor code",
                             {"supervisor_code": ["not a valid supervisor code"]})
        return supervisor_id

    def _match(self, conn, fields):
        """Triage's institution match: (Match, directory row or None)."""
        given = fields.get("institution_id")
        if given:
            found = views.institution(conn, given)
            if found is None:
                raise BadRequest("unknown institution",
                                 {"institution_id": ["no registered institution has this id"]})
            return Match("given", given, found["supervising_department"]), found
        found, kind = views.match_institution(conn, fields["district"], fields.get("credit_code"),
                                              fields.get("institution_name"))
        if found is None:
            return UNLISTED, None
        return Match(kind, found["id"], found["supervising_department"]), found

    def _triage_or_merge(self, uow, complaint, match):
        key = views.institution_key(match.institution_id, complaint.institution_name)
        primary_id = queries.open_duplicate(uow.conn, complaint.district, complaint.category,
                                            key, complaint.id)
        if primary_id:
            complaint.merge_into(uow.load(Complaint, primary_id))
        else:
            complaint.assign(self.rules, match)

    # -- reads shared by the routes ---------------------------------------------------------
    def aggregate(self, complaint_id):
        store = self.store.store
        stored = store.load_stream(complaint_id)
        if not stored:
            raise NotFound(f"complaint {complaint_id} not found")
        return Complaint.replay(complaint_id, (store.decode(s) for s in stored))
