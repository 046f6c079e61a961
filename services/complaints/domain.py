"""Complaint rules: intake, triage, verification, answer, reopen, duplicates, deadlines.
No I/O and no clock reads: the service passes `now`, the rules and the institution match."""
from dataclasses import dataclass
from datetime import datetime, timezone

from shared.aggregate import Aggregate, applies
from shared.errors import BadRequest, Conflict, Forbidden
from shared.redact import mask
from shared.vocabulary import CITY

from . import events as ev
from .rules import SUPERVISING

OPEN = ("assigned", "acknowledged", "verifying", "verified", "reopened")
MERGEABLE = ("received", "assigned", "acknowledged")
def redact(text):
    """`text` with contact details masked (for fields events carry): reporters
    sometimes type them into any box, and they never reach an event."""
    return mask(text or "", "***").strip()


def instant(moment):
    """RFC 3339 UTC to the second: these strings sort like the instants they name."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text):
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class Match:
    """What triage found for the reported institution."""
    kind: str                        # given | credit_code | name | unlisted
    institution_id: str = None
    supervising_department: str = None


UNLISTED = Match("unlisted")


def route(rules, category, district, match):
    """(lead department, handling departments) for a category in a district."""
    spec = rules.category(category, district)
    lead = spec.lead
    if lead == SUPERVISING:
        lead = match.supervising_department or spec.fallback
    return lead, [d for d in spec.handling if d != lead]


def require_worker(complaint, role, department):
    """Handlers act on cases their department leads or handles; the municipal office on all."""
    if role in ("coordinator", "admin"):
        return
    if department != complaint.lead_department and department not in complaint.handling_departments:
        raise Forbidden(f"complaint {complaint.id} is handled by {complaint.lead_department}"
                        f"{' with ' + ', '.join(complaint.handling_departments) if complaint.handling_departments else ''}")


class Complaint(Aggregate):
    def __init__(self, id):
        super().__init__(id)
        self.channel = self.district = self.category = self.institution_id = None
        self.institution_name = self.address = ""
        self.status = None          # received … closed; None before it is received
        self.started_at = None      # when the current round began (received or reopened)
        self.deadlines = {}         # stage -> due
        self.done = set()           # stages done in the current round
        self.flagged = set()        # (stage, due) already flagged overdue
        self.lead_department, self.handling_departments = None, []
        self.reopened_by = set()    # who asked for a reopening
        self.merged_into = None
        self.substantiated = None   # None until verified
        self.escalated = False

    @classmethod
    def receive(cls, complaint_id, channel, district, category, now, institution_name="",
                address="", **refs):
        complaint = cls(complaint_id)
        complaint.trigger(ev.ComplaintReceived, complaint_id=complaint_id, channel=channel,
                          district=district, category=category, received_at=instant(now),
                          institution_name=redact(institution_name)[:200],
                          address=redact(address)[:300], **refs)
        return complaint

    # -- triage ---------------------------------------------------------------
    def assign(self, rules, match, category=None, lead=None, handling=None, institution_name=None,
               address=None):
        """Route (first triage, or a handler's re-triage); deadlines run from receipt
        (from the reopening, once reopened)."""
        if self.status not in ("received",) + OPEN:
            raise Conflict(f"complaint {self.id} is {self.status}: it cannot be re-routed")
        category = category or self.category
        routed_lead, routed_handling = route(rules, category, self.district, match)
        lead = lead or routed_lead
        handling = [d for d in (routed_handling if handling is None else handling) if d != lead]
        periods = rules.category(category, self.district).periods
        deadlines = {stage: instant(self.started_at + period) for stage, period in periods.items()}
        self.trigger(ev.ComplaintAssigned, complaint_id=self.id, district=self.district,
                     category=category, institution_id=match.institution_id,
                     institution_match=match.kind, lead_department=lead,
                     handling_departments=sorted(set(handling)), due=deadlines["answer"],
                     deadlines=deadlines, **_corrected(self, institution_name, address))

    def merge_into(self, primary):
        if self.status not in MERGEABLE:
            raise Conflict(f"complaint {self.id} is {self.status}: too late to merge it")
        if primary.id == self.id or primary.status not in OPEN or primary.merged_into:
            raise Conflict(f"complaint {primary.id} is not an open case to merge into")
        if primary.district != self.district:
            raise Conflict("duplicates are merged within one district")
        self.trigger(ev.ComplaintMerged, complaint_id=self.id, into=primary.id,
                     district=self.district, lead_department=primary.lead_department)

    # -- handling ---------------------------------------------------------------
    def acknowledge(self, department):
        if self.status != "assigned":
            raise Conflict(f"complaint {self.id} is {self.status}, not waiting to be acknowledged")
        self.trigger(ev.ComplaintAcknowledged, complaint_id=self.id, district=self.district,
                     department=department)

    def request_verification(self, rules, department, joining=(), modes=()):
        """Ask for an on-site check by the lead department and those it asks to join
        (a fire-hazard report about an arts institution: the fire department too)."""
        if self.status not in ("assigned", "acknowledged", "reopened"):
            raise Conflict(f"complaint {self.id} is {self.status}: verification cannot be requested")
        if "joint" in modes and not set(joining) - {self.lead_department}:
            raise BadRequest("a joint check needs another department", {"departments": [
                "name the departments joining the check"]})
        if self.status == "assigned":
            self.acknowledge(department)
        self.trigger(ev.VerificationRequested, complaint_id=self.id, district=self.district,
                     category=self.category, institution_id=self.institution_id,
                     institution_name=self.institution_name, address=self.address,
                     lead_department=self.lead_department,
                     handling_departments=list(self.handling_departments),
                     focus=list(rules.category(self.category, self.district).focus),
                     check_departments=list(dict.fromkeys([self.lead_department, *joining])),
                     modes=list(dict.fromkeys(modes)))

    def verify(self, substantiated, inspection_id=None):
        """A handler's own check (raises when the case is not waiting for one)."""
        if self.status not in ("assigned", "acknowledged", "verifying", "reopened"):
            raise Conflict(f"complaint {self.id} is {self.status}: nothing to verify")
        self.trigger(ev.ComplaintVerified, complaint_id=self.id, district=self.district,
                     category=self.category, institution_id=self.institution_id,
                     substantiated=bool(substantiated), inspection_id=inspection_id)

    def verify_by_inspection(self, substantiated, inspection_id):
        """An inspection's outcome; a late or repeated one changes nothing."""
        if self.status in ("assigned", "acknowledged", "verifying", "reopened"):
            self.verify(substantiated, inspection_id)

    def answer(self):
        if self.status != "verified":
            raise Conflict(f"complaint {self.id} is {self.status}: answer after verification")
        self.trigger(ev.ComplaintAnswered, complaint_id=self.id, district=self.district,
                     category=self.category, substantiated=self.substantiated)

    def close(self):
        if self.status != "answered":
            raise Conflict(f"complaint {self.id} is {self.status}: only an answered case is closed")
        self.trigger(ev.ComplaintClosed, complaint_id=self.id, district=self.district)

    def reopen(self, requested_by, rules, now):
        """Once per reporter (this complaint or a merged duplicate), after the answer."""
        if self.status not in ("answered", "closed"):
            raise Conflict(f"complaint {self.id} is {self.status}: it has not been answered yet")
        if requested_by in self.reopened_by:
            raise Conflict("a complaint can be reopened only once")
        periods = rules.category(self.category, self.district).periods
        self.trigger(ev.ComplaintReopened, complaint_id=self.id, district=self.district,
                     requested_by=requested_by, reopened_at=instant(now),
                     deadlines={stage: instant(now + periods[stage]) for stage in ev.STAGES})

    # -- a merged duplicate follows its primary ---------------------------------
    def follow_answer(self, primary):
        if self.status in ("merged", "answered", "closed"):
            self.trigger(ev.ComplaintAnswered, complaint_id=self.id, district=self.district,
                         category=self.category, substantiated=primary.substantiated,
                         via=primary.id)

    def follow_close(self, primary):
        if self.status == "answered":
            self.trigger(ev.ComplaintClosed, complaint_id=self.id, district=self.district,
                         via=primary.id)

    # -- deadlines ------------------------------------------------------------------
    def check_overdue(self, now):
        """Raise each missed deadline once, and escalate the case once."""
        if self.status not in OPEN:
            return
        for stage in ev.STAGES:
            due = self.deadlines.get(stage)
            if stage in self.done or (stage, due) in self.flagged or parse_instant(due) > now:
                continue
            self.trigger(ev.ComplaintOverdue, complaint_id=self.id, district=self.district,
                         category=self.category, stage=stage, due=due,
                         lead_department=self.lead_department)
            if not self.escalated:
                self.trigger(ev.ComplaintEscalated, complaint_id=self.id, district=self.district,
                             stage=stage, escalated_to=CITY)

    # -- state ------------------------------------------------------------------------
    @applies(ev.ComplaintReceived)
    def _received(self, event):
        data = event.data
        self.channel, self.district = data["channel"], data["district"]
        self.category, self.institution_id = data["category"], data.get("institution_id")
        self.institution_name = data.get("institution_name", "")
        self.address = data.get("address", "")
        self.started_at = parse_instant(data["received_at"])
        self.status = "received"

    @applies(ev.ComplaintAssigned)
    def _assigned(self, event):
        self.category, self.institution_id = event.category, event.institution_id
        for key in ("institution_name", "address"):
            if event.data.get(key) is not None:
                setattr(self, key, event.data[key])
        self.lead_department = event.lead_department
        self.handling_departments = list(event.handling_departments)
        self.deadlines = dict(event.deadlines)
        if self.status == "received":
            self.status = "assigned"

    @applies(ev.ComplaintMerged)
    def _merged(self, event):
        self.status, self.merged_into = "merged", event.into
        self.lead_department = event.lead_department

    @applies(ev.ComplaintAcknowledged)
    def _acknowledged(self, event):
        self.status = "acknowledged"
        self.done.add("acknowledge")

    @applies(ev.VerificationRequested)
    def _verification_requested(self, event):
        self.status = "verifying"

    @applies(ev.ComplaintVerified)
    def _verified(self, event):
        self.status, self.substantiated = "verified", event.substantiated
        self.done.update(("acknowledge", "verify"))

    @applies(ev.ComplaintAnswered)
    def _answered(self, event):
        self.status = "answered"
        self.done.update(ev.STAGES)

    @applies(ev.ComplaintClosed)
    def _closed(self, event):
        self.status = "closed"

    @applies(ev.ComplaintReopened)
    def _reopened(self, event):
        self.status, self.deadlines = "reopened", dict(event.deadlines)
        self.started_at = parse_instant(event.reopened_at)
        self.done = {"acknowledge"}
        self.reopened_by.add(event.requested_by)

    @applies(ev.ComplaintOverdue)
    def _overdue(self, event):
        self.flagged.add((event.stage, event.due))

    @applies(ev.ComplaintEscalated)
    def _escalated(self, event):
        self.escalated = True


def _corrected(complaint, institution_name, address):
    """The name/address fields of a re-triage: only those that change."""
    changes = {}
    if institution_name is not None and redact(institution_name)[:200] != complaint.institution_name:
        changes["institution_name"] = redact(institution_name)[:200]
    if address is not None and redact(address)[:300] != complaint.address:
        changes["address"] = redact(address)[:300]
    return changes


class Supervisor(Aggregate):
    """A registered social supervisor (社会监督员); who they are stays in the vault."""

    def __init__(self, id):
        super().__init__(id)
        self.district = None
        self.active = False

    @classmethod
    def register(cls, supervisor_id, district):
        supervisor = cls(supervisor_id)
        supervisor.trigger(ev.SupervisorRegistered, supervisor_id=supervisor_id, district=district)
        return supervisor

    def revoke(self):
        if not self.active:
            raise Conflict(f"supervisor {self.id} is revoked already")
        self.trigger(ev.SupervisorRevoked, supervisor_id=self.id, district=self.district)

    @applies(ev.SupervisorRegistered)
    def _registered(self, event):
        self.district, self.active = event.district, True

    @applies(ev.SupervisorRevoked)
    def _revoked(self, event):
        self.active = False
