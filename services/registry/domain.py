"""Registry rules: institutions, licences, status, black-list reviews, list batches.
No I/O here: commands check the rules and trigger events."""
import uuid
from datetime import date

from shared import creditcode
from shared.aggregate import Aggregate, applies
from shared.errors import BadRequest, Conflict, Forbidden
from shared.vocabulary import CATEGORIES

from . import events as ev

PERMIT = "school_permit"
OPERATING = ("business_licence", "npo_registration")


def check_credit_code(code):
    problem = creditcode.problem(code)
    if problem:
        raise BadRequest("invalid credit code", {"credit_code": [problem]})


class Institution(Aggregate):
    def __init__(self, id):
        super().__init__(id)
        self.name = self.credit_code = self.district = self.category = None
        self.supervising_department = None
        self.address = ""
        self.national_platform_id = None
        self.status = None        # open, suspended, closed; None before its registration
        self.licences = {}        # kind -> {number, valid_until, expired}
        self.review = None        # the open black-list review: {review_id, reason, source_event_id}
        self.blacklisted = False
        self.suspended_for = None  # the event (a hazard) behind the suspension; None when by hand

    @classmethod
    def register(cls, name, credit_code, district, category, address="", licences=(),
                 national_platform_id=None, institution_id=None):
        check_credit_code(credit_code)
        institution = cls(institution_id or str(uuid.uuid4()))
        institution.trigger(
            ev.InstitutionRegistered, institution_id=institution.id, name=name,
            credit_code=credit_code, district=district, category=category,
            supervising_department=CATEGORIES[category], address=address,
            national_platform_id=national_platform_id)
        for licence in licences:
            institution.record_licence(**licence)
        return institution

    # -- commands -----------------------------------------------------------
    def record_licence(self, kind, number, valid_until):
        self.trigger(ev.LicenceRecorded, institution_id=self.id, kind=kind, number=number,
                     valid_until=_iso(valid_until))

    def flag_expired_licences(self, today):
        for kind, licence in sorted(self.licences.items()):
            if not licence["expired"] and date.fromisoformat(licence["valid_until"]) < today:
                self.trigger(ev.LicenceExpired, institution_id=self.id, kind=kind,
                             valid_until=licence["valid_until"])

    def suspend(self, reason, source_event_id=None):
        """Suspend for rectification. A second cause while suspended changes nothing,
        but an official's suspension of an institution held for a hazard is recorded:
        from then on it is lifted by hand only, not when the hazard is rectified."""
        self._require_not_closed()
        by_hand_over_hazard = source_event_id is None and self.suspended_for is not None
        if self.status == "open" or (self.status == "suspended" and by_hand_over_hazard):
            self.trigger(ev.InstitutionSuspended, institution_id=self.id, district=self.district,
                         reason=reason, source_event_id=source_event_id)

    def reinstate(self, source_event_id=None):
        if self.status != "suspended":
            raise Conflict(f"institution {self.id} is {self.status}, not suspended")
        self.trigger(ev.InstitutionReinstated, institution_id=self.id, district=self.district,
                     source_event_id=source_event_id)

    def close(self, reason):
        self._require_not_closed()
        self.trigger(ev.InstitutionClosed, institution_id=self.id, district=self.district,
                     reason=reason)

    def open_review(self, reason, source_event_id=None):
        """Open a black-list review unless one is open already."""
        if self.review is None:
            self.trigger(ev.BlacklistReviewOpened, review_id=str(uuid.uuid4()),
                         institution_id=self.id, district=self.district, reason=reason,
                         source_event_id=source_event_id)
        return self.review["review_id"]

    def decide_review(self, decision, reason, department):
        if department != self.supervising_department:  # "not yours" (403) before any state
            raise Forbidden(f"only the supervising department ({self.supervising_department}) "
                            "decides this institution's list status")
        if self.review is None:
            raise Conflict(f"institution {self.id} has no open black-list review")
        self.trigger(ev.BlacklistReviewDecided, review_id=self.review["review_id"],
                     institution_id=self.id, district=self.district, decision=decision,
                     reason=reason, department=department,
                     source_event_id=self.review["source_event_id"])

    def blacklist_for_unlicensed_operation(self, reason, source_event_id=None):
        """Unlicensed operation: a review opened and decided at once (chain 5)."""
        if self.blacklisted:
            return
        self.open_review(reason, source_event_id)
        self.trigger(ev.BlacklistReviewDecided, review_id=self.review["review_id"],
                     institution_id=self.id, district=self.district, decision="blacklisted",
                     reason=reason, department=self.supervising_department,
                     source_event_id=self.review["source_event_id"])

    def _require_not_closed(self):
        if self.status == "closed":
            raise Conflict(f"institution {self.id} is closed")

    # -- queries --------------------------------------------------------------
    def white_list_eligible(self, today):
        valid = {kind for kind, licence in self.licences.items()
                 if date.fromisoformat(licence["valid_until"]) >= today}
        return (self.status == "open" and self.review is None and not self.blacklisted
                and PERMIT in valid and bool(valid.intersection(OPERATING)))

    # -- state ------------------------------------------------------------------
    @applies(ev.InstitutionRegistered)
    def _registered(self, event):
        data = event.data
        self.name, self.credit_code = data["name"], data["credit_code"]
        self.district, self.category = data["district"], data["category"]
        self.supervising_department = data["supervising_department"]
        self.address = data.get("address") or ""
        self.national_platform_id = data.get("national_platform_id")
        self.status = "open"

    @applies(ev.LicenceRecorded)
    def _licence_recorded(self, event):
        self.licences[event.kind] = {"number": event.number, "valid_until": event.valid_until,
                                     "expired": False}

    @applies(ev.LicenceExpired)
    def _licence_expired(self, event):
        self.licences[event.kind]["expired"] = True

    @applies(ev.InstitutionSuspended)
    def _suspended(self, event):
        self.status = "suspended"
        self.suspended_for = event.data.get("source_event_id")

    @applies(ev.InstitutionReinstated)
    def _reinstated(self, event):
        self.status = "open"
        self.suspended_for = None

    @applies(ev.InstitutionClosed)
    def _closed(self, event):
        self.status = "closed"

    @applies(ev.BlacklistReviewOpened)
    def _review_opened(self, event):
        self.review = {"review_id": event.review_id, "reason": event.reason,
                       "source_event_id": event.data.get("source_event_id")}

    @applies(ev.BlacklistReviewDecided)
    def _review_decided(self, event):
        self.review = None
        self.blacklisted = event.decision == "blacklisted"


class ListBatches(Aggregate):
    """The numbered batches of one district's white or black list."""

    @staticmethod
    def stream_id(district, list_name):
        return f"lists-{district}-{list_name}"

    def __init__(self, id):
        super().__init__(id)
        self.batches = {}  # batch number -> {district, list, filed}

    def publish(self, district, list_name, institution_ids, today):
        batch_no = len(self.batches) + 1
        self.trigger(ev.ListBatchPublished, district=district, list=list_name, batch_no=batch_no,
                     institution_ids=sorted(institution_ids), published_on=today.isoformat())
        return batch_no

    def file(self, batch_no):
        batch = self.batches.get(batch_no)
        if batch is None:
            raise Conflict(f"batch {batch_no} was never published")
        if batch["filed"]:
            raise Conflict(f"batch {batch_no} is filed already")
        self.trigger(ev.ListFiled, district=batch["district"], list=batch["list"], batch_no=batch_no)

    @applies(ev.ListBatchPublished)
    def _published(self, event):
        self.batches[event.batch_no] = {"district": event.district, "list": event.list,
                                        "filed": False}

    @applies(ev.ListFiled)
    def _filed(self, event):
        self.batches[event.batch_no]["filed"] = True


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value
